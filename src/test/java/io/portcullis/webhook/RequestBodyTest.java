package io.portcullis.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * How much of the memory budget a body holds while it is read: what it costs so far, and ahead of that only what
 * the rest of a declared body will cost, so that small reviews leave room for the handler queue to fill first.
 */
class RequestBodyTest {
    private static final long MIB = 1 << 20;
    private final MemoryBudget budget = new MemoryBudget(4096 * MIB);

    /** A Pod-like JSON body of about this many bytes. */
    private static byte[] body(int bytes) {
        StringBuilder json = new StringBuilder("{\"env\":[");
        while (json.length() < bytes - 40) {
            json.append("{\"name\":\"VARIABLE\",\"value\":\"some value\"},");
        }
        json.setLength(json.length() - 1);
        return json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    private long readAll(byte[] body, long declared, int chunk) throws IOException {
        long upfront = RequestCost.of(Math.max(0, declared), 0);
        MemoryBudget.Reservation reservation = budget.tryReserve(upfront);
        InputStream in = new RequestBody(new ByteArrayInputStream(body),
                new RequestDeadline(System.nanoTime(), Duration.ofSeconds(30)), budget, reservation, declared);
        byte[] buf = new byte[chunk];
        while (in.read(buf, 0, buf.length) >= 0) {
            // reading is what reserves
        }
        return reservation.bytes();
    }

    private static long cost(byte[] body) {
        return RequestCost.of(body.length, RequestCost.structural(body, 0, body.length));
    }

    @Test
    void aSmallReviewReadAtOnceHoldsItsCostAndNoMore() throws IOException {
        byte[] review = body(9 << 10);

        assertThat(readAll(review, review.length, 16 << 10)).isEqualTo(cost(review));
        assertThat(budget.used()).isEqualTo(cost(review));
    }

    @Test
    void aBodyOfUnknownLengthHoldsWhatItCostsSoFar() throws IOException {
        byte[] review = body(200 << 10);

        assertThat(readAll(review, -1, 8 << 10)).isEqualTo(cost(review));
    }

    @Test
    void aLargeDeclaredBodyReservesAheadByAtMostAStep() throws IOException {
        byte[] review = body(8 << 20);
        long upfront = RequestCost.of(review.length, 0);
        MemoryBudget.Reservation reservation = budget.tryReserve(upfront);
        InputStream in = new RequestBody(new ByteArrayInputStream(review),
                new RequestDeadline(System.nanoTime(), Duration.ofSeconds(30)), budget, reservation, review.length);
        byte[] buf = new byte[64 << 10];
        long read = 0;
        long structural = 0;
        long maxAhead = 0;
        int n;
        while ((n = in.read(buf, 0, buf.length)) >= 0) {
            structural += RequestCost.structural(buf, 0, n);
            read += n;
            long seen = RequestCost.of(read, structural);
            maxAhead = Math.max(maxAhead, reservation.bytes() - Math.max(seen, upfront));
        }

        assertThat(maxAhead).as("reserved ahead of the cost so far").isPositive().isLessThanOrEqualTo(MIB);
        assertThat(reservation.bytes()).isEqualTo(cost(review));
    }
}
