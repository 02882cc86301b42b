package io.portcullis.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import io.portcullis.admission.AdmissionHandler;
import io.portcullis.admission.AdmissionResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.annotation.Bean;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A review waiting in the handler queue holds no Tomcat thread: with two Tomcat threads, one handler thread and a
 * queue of four, five reviews are in the handler pool at once (one running, four queued), and a sixth is still read
 * and refused by its uid while they wait. Were the Tomcat threads waiting for answers, only two reviews would ever
 * get past Tomcat, and the refusal would wait for the first answer.
 */
class QueuedReviewsTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    static Path certs;

    static TestServer server;
    static final CountDownLatch release = new CountDownLatch(1);
    static final CountDownLatch blocked = new CountDownLatch(1);

    private final ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor();

    static final class Handlers {
        @Bean(AdmissionHandler.VALIDATING)
        AdmissionHandler validating() {
            return request -> {
                if ("u-running".equals(request.uid())) {
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
    }

    @BeforeAll
    static void start() {
        server = TestServer.start(certs, List.of(Handlers.class), "portcullis.webhook.deadline=30s",
                "portcullis.webhook.threads=1", "portcullis.webhook.queue-capacity=4",
                "server.tomcat.threads.max=2", "server.tomcat.threads.min-spare=1").policiesInForce();
    }

    @AfterAll
    static void stop() throws Exception {
        release.countDown();
        server.close();
    }

    @Test
    void queuedReviewsHoldNoRequestThreadSoTheNextIsRefusedWhileTheyWait() throws Exception {
        DeadlineRunner runner = server.context.getBean(DeadlineRunner.class);
        CompletableFuture<JsonNode> running = admitAsync("u-running");
        assertThat(blocked.await(30, TimeUnit.SECONDS)).isTrue();
        List<CompletableFuture<JsonNode>> queued = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            queued.add(admitAsync("u-queued-" + i));
        }
        for (int i = 0; i < 3000 && runner.queued() < 4; i++) {
            Thread.sleep(10);
        }
        assertThat(runner.queued()).as("reviews queued behind the running one, past two Tomcat threads").isEqualTo(4);

        JsonNode refused = admit("u-refused");
        assertThat(refused.at("/response/uid").stringValue()).isEqualTo("u-refused");
        assertThat(refused.at("/response/allowed").booleanValue()).isFalse();
        assertThat(refused.at("/response/status/code").intValue()).isEqualTo(429);
        assertThat(running).isNotDone();
        assertThat(queued).noneMatch(CompletableFuture::isDone);

        release.countDown();
        assertThat(running.get(30, TimeUnit.SECONDS).at("/response/allowed").booleanValue()).isTrue();
        for (CompletableFuture<JsonNode> review : queued) {
            assertThat(review.get(30, TimeUnit.SECONDS).at("/response/allowed").booleanValue()).isTrue();
        }
    }

    private CompletableFuture<JsonNode> admitAsync(String uid) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return admit(uid);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, clients);
    }

    private static JsonNode admit(String uid) throws Exception {
        String pod = """
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web"},
                 "spec":{"containers":[{"name":"c","image":"nginx"}]}}""";
        HttpResponse<String> response = server.post("/v1/admit",
                WebhookServerTest.review("admission.k8s.io/v1", uid, pod));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }
}
