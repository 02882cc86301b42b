package io.portcullis.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;

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
 * A review answered after Spring's async timeout but within the admission deadline still gets its answer: the
 * deadline decides, not the servlet container's default (30 s in Tomcat, shorter here to keep the test quick).
 */
class AsyncTimeoutTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    static Path certs;

    static TestServer server;

    static final class Handlers {
        @Bean(AdmissionHandler.VALIDATING)
        AdmissionHandler validating() {
            return request -> {
                try {
                    Thread.sleep(800);
                } catch (InterruptedException e) {
                    return AdmissionResponse.errored(500, "interrupted");
                }
                return AdmissionResponse.allow("answered after 800 ms");
            };
        }
    }

    @BeforeAll
    static void start() {
        server = TestServer.start(certs, List.of(Handlers.class), "portcullis.webhook.deadline=3s",
                "spring.mvc.async.request-timeout=200ms").policiesInForce();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    @Test
    void aSlowAnswerWithinTheDeadlineOutlastsSpringsAsyncTimeout() throws Exception {
        String pod = """
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web"},
                 "spec":{"containers":[{"name":"c","image":"nginx"}]}}""";
        HttpResponse<String> response = server.post("/v1/admit",
                WebhookServerTest.review("admission.k8s.io/v1", "u-slow", pod));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode review = JSON.readTree(response.body());
        assertThat(review.at("/response/uid").stringValue()).isEqualTo("u-slow");
        assertThat(review.at("/response/allowed").booleanValue()).isTrue();
        assertThat(review.at("/response/status/message").stringValue()).isEqualTo("answered after 800 ms");
    }
}
