package io.portcullis.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLSocket;

import io.portcullis.admission.AdmissionHandler;
import io.portcullis.admission.AdmissionRequest;
import io.portcullis.admission.AdmissionResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.annotation.Bean;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What protects the server, over real HTTPS: the memory budget, the handler pool's queue, and the deadline that
 * counts from Tomcat's first byte of the request and cuts a body that trickles in. One handler thread, a queue of one
 * and a 64 MB budget make each limit easy to reach; handlers that block wait on a latch the test releases.
 */
class WebhookLimitsTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String BEHAVIOUR = "test.portcullis.io/behaviour";
    private static final long BUDGET = 64L << 20;

    @TempDir
    static Path certs;

    static TestServer server;
    static volatile CountDownLatch release = new CountDownLatch(1);
    static volatile CountDownLatch blocked = new CountDownLatch(1);

    private final ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor();

    static final class Handlers {
        @Bean(AdmissionHandler.VALIDATING)
        AdmissionHandler validating() {
            return request -> {
                if ("block".equals(behaviour(request))) {
                    blocked.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        return AdmissionResponse.errored(500, "interrupted");
                    }
                }
                return AdmissionResponse.allow();
            };
        }

        private static String behaviour(AdmissionRequest request) {
            return request.object().at("/metadata/annotations").path(BEHAVIOUR).asString("allow");
        }
    }

    @BeforeAll
    static void start() {
        server = TestServer.start(certs, List.of(Handlers.class), "portcullis.webhook.deadline=5s",
                "portcullis.webhook.threads=1", "portcullis.webhook.queue-capacity=1",
                "portcullis.webhook.memory-budget=" + BUDGET + "B").policiesInForce();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    @AfterEach
    void releaseHandlers() {
        release.countDown();
        clients.close();
        release = new CountDownLatch(1);
        blocked = new CountDownLatch(1);
    }

    /** A Pod with this many env entries (about 40 bytes and 5 structural characters each), annotated to behave. */
    private static String pod(String behaviour, int envEntries) {
        StringBuilder env = new StringBuilder();
        for (int i = 0; i < envEntries; i++) {
            env.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT, "{\"name\":\"VAR_%06d\",\"value\":\"v%06d\"}", i, i));
        }
        return """
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","annotations":{"%s":"%s"}},
                 "spec":{"containers":[{"name":"c","image":"nginx","env":[%s]}]}}""".formatted(BEHAVIOUR, behaviour, env);
    }

    private CompletableFuture<JsonNode> admitAsync(String body) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return admit(body);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, clients);
    }

    private static JsonNode admit(String body) throws Exception {
        HttpResponse<String> response = server.post("/v1/admit", body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static void assertRejected(JsonNode out, String uid, int code) {
        assertThat(out.at("/response/uid").stringValue()).isEqualTo(uid);
        assertThat(out.at("/response/allowed").booleanValue()).isFalse();
        assertThat(out.at("/response/status/code").intValue()).isEqualTo(code);
    }

    @Test
    void aReviewTooLargeForTheWholeMemoryBudgetIsRejectedByItsUidWithoutBeingParsed() throws Exception {
        // 40,000 env entries: 1.6 MB, which the cost model puts at about 80 MB, above the 64 MB budget.
        String review = WebhookServerTest.review("admission.k8s.io/v1", "u-huge", pod("allow", 40_000));

        JsonNode sized = admit(review);
        assertRejected(sized, "u-huge", 413);
        assertThat(sized.at("/response/status/message").stringValue())
                .contains("more than the webhook's whole memory budget of 64.0 MiB")
                .contains("portcullis.webhook.memory-budget");

        // Chunked, the size is unknown until the body's shape has used up the budget while streaming in.
        HttpResponse<String> chunked = server.post("/v1/admit", HttpRequest.BodyPublishers.ofInputStream(
                () -> new java.io.ByteArrayInputStream(review.getBytes(StandardCharsets.UTF_8))));
        assertThat(chunked.statusCode()).isEqualTo(200);
        assertRejected(JSON.readTree(chunked.body()), "u-huge", 413);

        assertThat(admit(WebhookServerTest.review("admission.k8s.io/v1", "u-small", pod("allow", 10)))
                .at("/response/allowed").booleanValue()).isTrue();
    }

    @Test
    void aReviewThatFitsAloneIsRejectedWith429WhileOthersHoldTheBudgetAndAdmittedOnceTheyAreDone() throws Exception {
        // About 36 MB each by the cost model: one fits, two do not.
        CompletableFuture<JsonNode> holding = admitAsync(
                WebhookServerTest.review("admission.k8s.io/v1", "u-holding", pod("block", 18_000)));
        assertThat(blocked.await(30, TimeUnit.SECONDS)).isTrue();

        JsonNode refused = admit(WebhookServerTest.review("admission.k8s.io/v1", "u-second", pod("allow", 18_000)));
        assertRejected(refused, "u-second", 429);
        assertThat(refused.at("/response/status/message").stringValue()).startsWith("too many requests in flight")
                .contains("memory budget of 64.0 MiB is in use");

        release.countDown();
        assertThat(holding.get(30, TimeUnit.SECONDS).at("/response/allowed").booleanValue()).isTrue();
        assertThat(admit(WebhookServerTest.review("admission.k8s.io/v1", "u-third", pod("allow", 18_000)))
                .at("/response/allowed").booleanValue()).isTrue();
    }

    @Test
    void whenTheHandlerAndItsQueueAreBusyAReviewIsRejectedAtOnceWith429() throws Exception {
        CompletableFuture<JsonNode> running = admitAsync(
                WebhookServerTest.review("admission.k8s.io/v1", "u-running", pod("block", 1)));
        assertThat(blocked.await(30, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<JsonNode> queued = admitAsync(
                WebhookServerTest.review("admission.k8s.io/v1", "u-queued", pod("allow", 1)));
        DeadlineRunner runner = server.context.getBean(DeadlineRunner.class);
        for (int i = 0; i < 3000 && runner.queued() == 0; i++) {
            Thread.sleep(10);
        }

        JsonNode refused = admit(WebhookServerTest.review("admission.k8s.io/v1", "u-third", pod("allow", 1)));
        assertRejected(refused, "u-third", 429);
        assertThat(refused.at("/response/status/message").stringValue())
                // Refused before its body was read: answered by its uid, without naming the object.
                .isEqualTo("too many requests in flight: 1 reviews are running and 1 are waiting; try again");
        // Answered while the first still blocks: not an answer at its deadline.
        assertThat(running).isNotDone();

        release.countDown();
        assertThat(running.get(30, TimeUnit.SECONDS).at("/response/allowed").booleanValue()).isTrue();
        assertThat(queued.get(30, TimeUnit.SECONDS).at("/response/allowed").booleanValue()).isTrue();
    }

    @Test
    void aBodyThatTricklesInIsCutAtTheDeadlineAndRejectedByItsUid() throws Exception {
        byte[] body = WebhookServerTest.review("admission.k8s.io/v1", "u-slow", pod("allow", 1))
                .getBytes(StandardCharsets.UTF_8);
        try (SSLSocket socket = connect()) {
            OutputStream out = socket.getOutputStream();
            out.write(head(body.length).getBytes(StandardCharsets.US_ASCII));
            out.write(body, 0, 200);
            out.flush();
            // One byte every 300 ms, well within Tomcat's timeout for each read (5 s): only the deadline ends it.
            CompletableFuture<Void> trickle = CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 200; i < body.length - 1; i++) {
                        Thread.sleep(300);
                        out.write(body[i]);
                        out.flush();
                    }
                } catch (IOException | InterruptedException e) {
                    // the server answered and closed
                }
            }, clients);

            String response = readResponse(socket.getInputStream());
            trickle.cancel(true);

            assertThat(response).startsWith("HTTP/1.1 200");
            JsonNode out200 = JSON.readTree(response.substring(response.indexOf("\r\n\r\n") + 4));
            assertRejected(out200, "u-slow", 408);
            assertThat(out200.at("/response/status/message").stringValue())
                    .startsWith("the request body did not arrive within the 5s deadline");
            // The server does not wait for the rest of the body (which would hold its thread): it closes.
            assertThat(response.toLowerCase(Locale.ROOT)).contains("connection: close");
            assertThat(socket.getInputStream().read()).as("end of stream").isEqualTo(-1);
        }
    }

    @Test
    void theDeadlineCountsFromTheFirstByteOfTheRequestNotFromTheController() throws Exception {
        byte[] body = WebhookServerTest.review("admission.k8s.io/v1", "u-early", pod("block", 1))
                .getBytes(StandardCharsets.UTF_8);
        String head = head(body.length);
        int split = head.indexOf("Content-Type");
        try (SSLSocket socket = connect()) {
            OutputStream out = socket.getOutputStream();
            // The request line now, the rest of the headers 1.5 s later (within Tomcat's 5 s connection timeout):
            // the controller only runs after them.
            out.write(head.substring(0, split).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Thread.sleep(1500);
            out.write(head.substring(split).getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            assertThat(blocked.await(30, TimeUnit.SECONDS)).isTrue();
            // Released 4 s after the handler started: within 5 s of the controller, but not of the request.
            CompletableFuture.runAsync(() -> {
                try {
                    Thread.sleep(4000);
                } catch (InterruptedException ignored) {
                    // released at once
                }
                release.countDown();
            }, clients);

            String response = readResponse(socket.getInputStream());

            JsonNode answer = JSON.readTree(response.substring(response.indexOf("\r\n\r\n") + 4));
            assertRejected(answer, "u-early", 500);
            assertThat(answer.at("/response/status/message").stringValue())
                    .isEqualTo("validation of Pod default/web did not finish within the 5s deadline");
        }
    }

    @Test
    void theConnectionStaysUsableAfterARefusalAndAfterAnOverrun() throws Exception {
        // The API server reuses its connections and does not retry a POST on one that was closed under it: a
        // connection closed after an answer would turn the next review into a failed call (the failurePolicy's).
        try (SSLSocket socket = connect()) {
            JsonNode refused = exchange(socket, WebhookServerTest.review("admission.k8s.io/v1", "u-413", pod("allow", 40_000)));
            assertRejected(refused, "u-413", 413);
            JsonNode overran = exchange(socket, WebhookServerTest.review("admission.k8s.io/v1", "u-500", pod("block", 1)));
            assertRejected(overran, "u-500", 500);
            JsonNode allowed = exchange(socket, WebhookServerTest.review("admission.k8s.io/v1", "u-200", pod("allow", 1)));
            assertThat(allowed.at("/response/allowed").booleanValue()).isTrue();
        }
    }

    /** One request on an open connection, kept alive; the answer's AdmissionReview. */
    private static JsonNode exchange(SSLSocket socket, String review) throws Exception {
        byte[] body = review.getBytes(StandardCharsets.UTF_8);
        OutputStream out = socket.getOutputStream();
        out.write(head(body.length).replace("Connection: close\r\n", "").getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
        String response = readResponse(socket.getInputStream());
        assertThat(response).startsWith("HTTP/1.1 200").doesNotContainIgnoringCase("connection: close");
        return JSON.readTree(response.substring(response.indexOf("\r\n\r\n") + 4));
    }

    private static SSLSocket connect() throws Exception {
        SSLSocket socket = (SSLSocket) TestServer.sslContext(certs).getSocketFactory().createSocket("localhost", server.port);
        socket.setSoTimeout(30_000);
        socket.startHandshake();
        return socket;
    }

    private static String head(int contentLength) {
        return "POST /v1/admit HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: "
                + contentLength + "\r\nConnection: close\r\n\r\n";
    }

    /** One HTTP/1.1 response: the head, then a body of its Content-Length (or chunked). */
    private static String readResponse(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed after " + head);
            }
            head.write(b);
        }
        String headers = head.toString(StandardCharsets.US_ASCII);
        String lower = headers.toLowerCase(Locale.ROOT);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        int at = lower.indexOf("content-length:");
        if (at >= 0) {
            int length = Integer.parseInt(lower.substring(at + 15, lower.indexOf("\r\n", at)).strip());
            body.write(in.readNBytes(length));
        } else {
            while (true) {
                String size = line(in);
                int chunk = Integer.parseInt(size.strip(), 16);
                if (chunk == 0) {
                    break;
                }
                body.write(in.readNBytes(chunk));
                line(in);
            }
        }
        return headers + body.toString(StandardCharsets.UTF_8);
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.US_ASCII);
    }
}
