package io.portcullis.webhook;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The server in a JVM of its own with a 512 MB heap and the gatekeeper-library's templates and sample constraints
 * (which deny the Pods below), sent 3 reviews of a 3 MB Pod one after the other, then 16 at once: a Pod with 75,000
 * small env entries, the shape that costs the most heap per byte. Every review must get an answer that is not an
 * allow (a denial or a rejection: memory budget, queue, deadline), and the server must still be alive and deciding
 * afterwards. Before the memory budget this ended in an {@link OutOfMemoryError} within seconds
 * ({@code -XX:+ExitOnOutOfMemoryError} makes that a dead process here).
 */
class SmallHeapServerTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Path PROJECT = Path.of(System.getProperty("portcullis.project.dir", ".")).toAbsolutePath();
    private static final int CONCURRENT = 16;

    @TempDir
    Path dir;

    @Test
    void sixteenConcurrentThreeMegabytePodReviewsAreAllRejectedOrDeniedAndTheServerLives() throws Exception {
        GatekeeperLibrary.assumeAvailable();
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        Path log = dir.resolve("server.log");
        Process server = new ProcessBuilder(javaCommand(port)).directory(PROJECT.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try (HttpClient client = awaitReady(server, port, log)) {
            for (int i = 0; i < 3; i++) {
                // Each is evaluated (and overruns the deadline): what one evaluation leaves behind must not pile up.
                assertNotAllowed(client.send(post(port, review("one-" + i, 75_000)), HttpResponse.BodyHandlers.ofString()),
                        "one-" + i);
            }
            List<String> uids = new ArrayList<>();
            List<Future<HttpResponse<String>>> answers = new ArrayList<>();
            try (ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < CONCURRENT; i++) {
                    String uid = "big-" + i;
                    String review = review(uid, 75_000);
                    uids.add(uid);
                    answers.add(senders.submit(() -> client.send(post(port, review), HttpResponse.BodyHandlers.ofString())));
                }
                for (int i = 0; i < CONCURRENT; i++) {
                    assertNotAllowed(answers.get(i).get(2, TimeUnit.MINUTES), uids.get(i));
                }
            }
            assertThat(server.isAlive()).as("server alive after the load; log: " + log).isTrue();
            assertThat(client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/livez")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);
            JsonNode normal = JSON.readTree(client.send(post(port, review("small", 2)),
                    HttpResponse.BodyHandlers.ofString()).body()).path("response");
            assertThat(normal.path("allowed").booleanValue()).isFalse();
            assertThat(normal.at("/status/code").intValue()).as(normal.toString()).isEqualTo(403);
        } finally {
            server.destroy();
            if (!server.waitFor(30, TimeUnit.SECONDS)) {
                server.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
        assertThat(Files.readString(log)).doesNotContain("OutOfMemoryError");
    }

    private static void assertNotAllowed(HttpResponse<String> response, String uid) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode answer = JSON.readTree(response.body()).path("response");
        assertThat(answer.path("uid").stringValue()).isEqualTo(uid);
        assertThat(answer.path("allowed").booleanValue()).as(response.body()).isFalse();
        assertThat(answer.at("/status/code").intValue()).as(response.body()).isIn(403, 408, 413, 429, 500);
    }

    /** {@code portcullis serve} on this test's class path with the library, 512 MB of heap. */
    private List<String> javaCommand(int port) {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String library = GatekeeperLibrary.file("library").toString();
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-XX:+ExitOnOutOfMemoryError", "-XX:-DontCompileHugeMethods",
                "-Dserver.address=127.0.0.1", "-cp", classPath, "io.portcullis.Portcullis",
                "serve", "--port", Integer.toString(port), "--certs", dir.resolve("certs").toString(),
                "--templates", library, "--constraints", library, "--data", PROJECT.resolve("examples/data").toString());
    }

    private HttpClient awaitReady(Process server, int port, Path log) throws Exception {
        Path ca = dir.resolve("certs").resolve("ca.crt");
        long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (System.nanoTime() < end) {
            assertThat(server.isAlive()).as("server running; log: " + Files.readString(log)).isTrue();
            if (Files.exists(ca)) {
                HttpClient client = HttpClient.newBuilder().sslContext(TestServer.sslContext(dir.resolve("certs")))
                        .connectTimeout(Duration.ofSeconds(10)).build();
                try {
                    if (client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/readyz")).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                        return client;
                    }
                } catch (java.io.IOException notYet) {
                    // not listening yet
                }
                client.close();
            }
            Thread.sleep(200);
        }
        throw new AssertionError("not ready within 3 minutes; log: " + Files.readString(log));
    }

    private static HttpRequest post(int port, String review) {
        return HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/v1/admit"))
                .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(review)).build();
    }

    /** A Pod CREATE review with this many env entries of about 40 bytes: 75,000 make 3 MB. */
    private static String review(String uid, int envEntries) {
        StringBuilder env = new StringBuilder(envEntries * 41);
        for (int i = 0; i < envEntries; i++) {
            env.append(i == 0 ? "" : ",")
                    .append(String.format(Locale.ROOT, "{\"name\":\"VAR_%06d\",\"value\":\"v%06d\"}", i, i));
        }
        return """
                {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"%s",
                 "kind":{"group":"","version":"v1","kind":"Pod"},"resource":{"group":"","version":"v1","resource":"pods"},
                 "name":"big","namespace":"default","operation":"CREATE",
                 "userInfo":{"username":"alice","groups":["system:authenticated"]},
                 "object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"big","namespace":"default"},
                  "spec":{"containers":[{"name":"c","image":"nginx","env":[%s]}]}},
                 "oldObject":null,"dryRun":false}}""".formatted(uid, env);
    }
}
