package io.portcullis.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The whole server as {@code portcullis serve} runs it standalone, with the shipped templates and examples, under
 * which the README's Pod without a seccomp profile is denied. Reviews are sent from the moment the port accepts
 * connections until {@code /readyz} is UP: none may be allowed; before the policies are in force they get HTTP 503.
 */
class StartupGateTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Path PROJECT = Path.of(System.getProperty("portcullis.project.dir", ".")).toAbsolutePath();

    @TempDir
    Path dir;

    /** What one review got: the HTTP status, and the answer's allowed and code when it was an AdmissionReview. */
    private record Answer(int http, Boolean allowed, int code) {
    }

    @Test
    void noReviewIsAllowedFromTheFirstConnectionUntilReadyThenThePodIsDenied() throws Exception {
        String review = Files.readString(PROJECT.resolve("examples/requests/pod-without-seccomp.json"));
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        Path certs = dir.resolve("certs");
        CompletableFuture<ConfigurableApplicationContext> app = CompletableFuture.supplyAsync(() -> PortcullisServer
                .application().run("--server.port=" + port, "--server.address=127.0.0.1",
                        "--portcullis.tls.cert-dir=" + certs));
        try {
            // Portcullis's own service account needs no policy (it installs the CRDs at start, through the webhook).
            JsonNode own = JSON.readTree(review);
            ((ObjectNode) own.path("request").path("userInfo")).put("username",
                    "system:serviceaccount:portcullis-system:portcullis");
            String ownReview = JSON.writeValueAsString(own);
            List<Answer> beforeReady = new ArrayList<>();
            List<Answer> ownBeforeReady = new ArrayList<>();
            long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            boolean ready = false;
            while (!ready && System.nanoTime() < end && !app.isCompletedExceptionally()) {
                if (!Files.exists(certs.resolve("ca.crt"))) {
                    Thread.sleep(20);
                    continue;
                }
                try (HttpClient client = HttpClient.newBuilder().sslContext(TestServer.sslContext(certs))
                        .connectTimeout(Duration.ofSeconds(10)).build()) {
                    beforeReady.add(admit(client, port, review));
                    ownBeforeReady.add(admit(client, port, ownReview));
                    ready = client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/readyz"))
                            .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.discarding())
                            .statusCode() == 200;
                } catch (ConnectException notListeningYet) {
                    Thread.sleep(20);
                }
            }
            assertThat(ready).as("ready within 3 minutes").isTrue();

            assertThat(beforeReady).as("answers before Ready").noneMatch(a -> Boolean.TRUE.equals(a.allowed()));
            // Only refusals (503) or, once the policies were in force just before /readyz turned UP, the denial.
            assertThat(beforeReady).allMatch(a -> a.http() == 503 || (a.http() == 200 && a.code() == 403),
                    "HTTP 503 or a 403 denial");
            assertThat(beforeReady).as("the window before the policies were in force was exercised")
                    .anyMatch(a -> a.http() == 503);

            assertThat(ownBeforeReady).as("answers to Portcullis's own service account before Ready").isNotEmpty()
                    .allMatch(a -> a.http() == 200 && Boolean.TRUE.equals(a.allowed()), "allowed");

            try (HttpClient client = HttpClient.newBuilder().sslContext(TestServer.sslContext(certs)).build()) {
                Answer after = admit(client, port, review);
                assertThat(after.allowed()).isFalse();
                assertThat(after.code()).isEqualTo(403);
            }
        } finally {
            app.thenAccept(ConfigurableApplicationContext::close).get(2, TimeUnit.MINUTES);
        }
    }

    private static Answer admit(HttpClient client, int port, String review) throws Exception {
        HttpResponse<String> response = client.send(
                HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/v1/admit"))
                        .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(review)).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode body = JSON.readTree(response.body());
        if (response.statusCode() != 200) {
            assertThat(body.path("kind").stringValue()).as(response.body()).isEqualTo("Status");
            assertThat(body.path("message").stringValue()).isEqualTo("policies are not loaded yet");
            return new Answer(response.statusCode(), null, body.path("code").intValue());
        }
        JsonNode answer = body.path("response");
        return new Answer(200, answer.path("allowed").booleanValue(), answer.path("status").path("code").intValue());
    }
}
