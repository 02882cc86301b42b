package io.portcullis.webhook;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

import jakarta.servlet.ServletInputStream;

/**
 * The request body as the reader parses it, stopped when the request's deadline passes or its memory reservation
 * cannot grow to what the bytes seen so far will cost ({@link RequestCost}). Either way the read fails and
 * {@link #refusal()} says why; {@link #start()} keeps the first bytes, so that the review can still be answered by
 * its uid. Each blocking read waits at most Tomcat's connection timeout, so a body trickling in holds its thread for
 * at most the deadline plus that.
 */
final class RequestBody extends FilterInputStream {

    /** The API server writes apiVersion, kind and request.uid within the first few hundred bytes. */
    private static final int KEPT_START = 64 << 10;
    /** Reserve at most this far ahead of what the body read so far costs. */
    private static final long GROW_STEP = 1 << 20;

    private final RequestDeadline deadline;
    private final MemoryBudget budget;
    private final MemoryBudget.Reservation reservation;
    private final long declaredBytes;
    private final ByteArrayOutputStream start = new ByteArrayOutputStream();
    private long bytes;
    private long structural;
    private Refusal refusal;

    /**
     * @param declaredBytes the Content-Length, or -1 when unknown; only used to project the whole body's cost for
     *                      the message when the reservation cannot grow
     */
    RequestBody(InputStream in, RequestDeadline deadline, MemoryBudget budget, MemoryBudget.Reservation reservation,
            long declaredBytes) {
        super(in);
        this.deadline = deadline;
        this.budget = budget;
        this.reservation = reservation;
        this.declaredBytes = declaredBytes;
    }

    /**
     * Reads and drops what is left of a body, until its end or the deadline; returns whether the end was reached. A
     * client is still sending when it is answered early (a refusal, a body over a limit); closing the connection on
     * unread bytes would reset it, and the reset can destroy the answer before the client reads it: the API server
     * would see a failed call and apply the failurePolicy instead of our rejection. (Tomcat drains too, but only up
     * to {@code server.tomcat.max-swallow-size}.)
     */
    static boolean discardRest(ServletInputStream body, RequestDeadline deadline) {
        byte[] buf = new byte[16 << 10];
        try {
            while (!body.isFinished()) {
                if (deadline.passed()) {
                    return false;
                }
                if (body.read(buf) < 0) {
                    return true;
                }
            }
            return true;
        } catch (IOException e) {
            // The client stopped sending or went away: nothing more to read.
            return false;
        }
    }

    /** Why the read was stopped, or null when it was not. */
    Refusal refusal() {
        return refusal;
    }

    /** The first bytes read (up to 64 KiB), for finding the review's uid after a refusal. */
    InputStream start() {
        return new ByteArrayInputStream(start.toByteArray());
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n <= 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
        checkDeadline();
        int n = super.read(buf, off, len);
        if (n > 0) {
            checkDeadline();
            account(buf, off, n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        // Through read(), so that skipped bytes are timed and counted too.
        byte[] buf = new byte[(int) Math.min(n, 8192)];
        int read = read(buf, 0, buf.length);
        return Math.max(read, 0);
    }

    @Override
    public void close() {
        // The servlet container owns the request stream.
    }

    private void checkDeadline() throws IOException {
        if (deadline.passed()) {
            refuse(new Refusal(408, "Timeout", "the request body did not arrive within the " + deadline
                    + " deadline (" + bytes + " bytes read)"));
        }
    }

    private void account(byte[] buf, int off, int n) throws IOException {
        if (start.size() < KEPT_START) {
            start.write(buf, off, Math.min(n, KEPT_START - start.size()));
        }
        bytes += n;
        structural += RequestCost.structural(buf, off, n);
        long seen = RequestCost.of(bytes, structural);
        long needed = seen - reservation.bytes();
        if (needed > 0) {
            // Ahead by what the rest of a declared body will cost at this density, a step at most: a large body
            // does not touch the shared counter on every read, and a small one, read at once, holds nothing it will
            // not use (a whole step ahead made a 9 KB review hold 1.6 MiB, so under overload the budget filled before
            // the handler queue did). A body of unknown length reserves as it reads.
            long ahead = Math.min(GROW_STEP, projectedCost(seen) - seen);
            if (!reservation.tryGrow(needed + ahead) && (ahead == 0 || !reservation.tryGrow(needed))) {
                refuse(budget.refusal(projectedCost(seen)));
            }
        }
    }

    /** The whole body's cost at the density seen so far, given what the bytes read so far cost. */
    private long projectedCost(long seen) {
        if (declaredBytes <= bytes) {
            return seen;
        }
        return RequestCost.of(declaredBytes, (long) (structural * (declaredBytes / (double) bytes)));
    }

    private void refuse(Refusal why) throws IOException {
        refusal = why;
        throw new IOException(why.message());
    }
}
