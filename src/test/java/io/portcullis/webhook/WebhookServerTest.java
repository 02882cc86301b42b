package io.portcullis.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.portcullis.admission.AdmissionHandler;
import io.portcullis.admission.AdmissionRequest;
import io.portcullis.admission.AdmissionResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.annotation.Bean;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;

/** The admission endpoints over real HTTPS, with handlers that allow, deny, patch, throw and hang on request. */
class WebhookServerTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String BEHAVIOUR = "test.portcullis.io/behaviour";
    private static final CountDownLatch HANG_INTERRUPTED = new CountDownLatch(1);
    /**
     * Above the 5 MiB review below; smaller than the default 16 MiB, so that an over-size body arrives well within the
     * deadline (which counts the body) even on a busy machine.
     */
    private static final long MAX_REQUEST_BYTES = 6L << 20;

    @TempDir
    static Path certs;

    static TestServer server;

    /** Handlers plugged in the way other packages will: beans with the seam's names. */
    static final class Handlers {
        @Bean(AdmissionHandler.VALIDATING)
        AdmissionHandler validating() {
            return request -> switch (behaviour(request)) {
                case "deny" -> AdmissionResponse.deny("[no-web] web pods are not allowed", List.of("[w] careful"));
                case "throw" -> throw new IllegalStateException("template k8srequiredlabels is broken");
                case "hang" -> hang();
                case "null" -> null;
                default -> AdmissionResponse.allow();
            };
        }

        @Bean(AdmissionHandler.MUTATING)
        AdmissionHandler mutating() {
            return request -> {
                if (behaviour(request).equals("throw")) {
                    throw new IllegalArgumentException();
                }
                ArrayNode patch = JSON.createArrayNode();
                patch.addObject().put("op", "add").put("path", "/metadata/labels/mutated").put("value", "yes");
                return AdmissionResponse.patch(patch, List.of());
            };
        }

        private static String behaviour(AdmissionRequest request) {
            return request.object().at("/metadata/annotations").path(BEHAVIOUR).asString("allow");
        }

        private static AdmissionResponse hang() {
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                HANG_INTERRUPTED.countDown();
            }
            return AdmissionResponse.allow("too late");
        }
    }

    @BeforeAll
    static void start() {
        server = TestServer.start(certs, List.of(Handlers.class), "portcullis.webhook.deadline=5s",
                "portcullis.webhook.max-request-size=" + MAX_REQUEST_BYTES + "B").policiesInForce();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    static String review(String apiVersion, String uid, String object) {
        return """
                {"apiVersion":"%s","kind":"AdmissionReview","request":{"uid":"%s",
                 "kind":{"group":"","version":"v1","kind":"Pod"},
                 "resource":{"group":"","version":"v1","resource":"pods"},
                 "name":"web","namespace":"default","operation":"CREATE",
                 "userInfo":{"username":"alice","groups":["system:authenticated"]},
                 "object":%s,"oldObject":null,"dryRun":false}}""".formatted(apiVersion, uid, object);
    }

    static String pod(String behaviour) {
        return """
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","annotations":{"%s":"%s"}},
                 "spec":{"containers":[{"name":"c","image":"nginx"}]}}""".formatted(BEHAVIOUR, behaviour);
    }

    private static JsonNode admit(String path, String body) throws Exception {
        HttpResponse<String> response = server.post(path, body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        return JSON.readTree(response.body());
    }

    @Test
    void bothWebhooksAnswerV1AndV1beta1EchoingUidAndVersion() throws Exception {
        for (String path : List.of("/v1/admit", "/v1/mutate")) {
            for (String version : List.of("admission.k8s.io/v1", "admission.k8s.io/v1beta1")) {
                String uid = UUID.randomUUID().toString();
                JsonNode out = admit(path, review(version, uid, pod("allow")));
                assertThat(out.path("apiVersion").stringValue()).as(path).isEqualTo(version);
                assertThat(out.path("kind").stringValue()).isEqualTo("AdmissionReview");
                assertThat(out.at("/response/uid").stringValue()).isEqualTo(uid);
                assertThat(out.at("/response/allowed").booleanValue()).isTrue();
            }
        }
    }

    @Test
    void validationDenialReachesTheClient() throws Exception {
        JsonNode out = admit("/v1/admit", review("admission.k8s.io/v1", "u-deny", pod("deny")));
        assertThat(out.at("/response/allowed").booleanValue()).isFalse();
        assertThat(out.at("/response/status/code").intValue()).isEqualTo(403);
        assertThat(out.at("/response/status/reason").stringValue()).isEqualTo("Forbidden");
        assertThat(out.at("/response/status/message").stringValue()).isEqualTo("[no-web] web pods are not allowed");
        assertThat(out.at("/response/warnings/0").stringValue()).isEqualTo("[w] careful");
    }

    @Test
    void mutationAnswersWithABase64JsonPatch() throws Exception {
        JsonNode out = admit("/v1/mutate", review("admission.k8s.io/v1", "u-patch", pod("allow")));
        assertThat(out.at("/response/patchType").stringValue()).isEqualTo("JSONPatch");
        JsonNode patch = JSON.readTree(Base64.getDecoder().decode(out.at("/response/patch").stringValue()));
        assertThat(patch.at("/0/op").stringValue()).isEqualTo("add");
        assertThat(patch.at("/0/path").stringValue()).isEqualTo("/metadata/labels/mutated");
    }

    @Test
    void malformedJsonIsAClear400WithoutStackTrace() throws Exception {
        HttpResponse<String> response = server.post("/v1/admit", "{\"apiVersion\": \"admission.k8s.io/v1\", kind");
        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("kind").stringValue()).isEqualTo("Status");
        assertThat(body.path("code").intValue()).isEqualTo(400);
        assertThat(body.path("reason").stringValue()).isEqualTo("BadRequest");
        assertThat(body.path("message").stringValue()).startsWith("malformed JSON:").contains("line 1");
        assertNoStackTrace(response.body());
    }

    @Test
    void nonAdmissionReviewBodiesAreAClear400() throws Exception {
        HttpResponse<String> pod = server.post("/v1/mutate", pod("allow"));
        assertThat(pod.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(pod.body()).path("message").stringValue())
                .contains("expected kind AdmissionReview").contains("got kind \"Pod\" and apiVersion \"v1\"");
        assertNoStackTrace(pod.body());

        HttpResponse<String> noUid = server.post("/v1/admit",
                "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"operation\":\"CREATE\"}}");
        assertThat(noUid.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(noUid.body()).path("message").stringValue()).startsWith("request.uid is missing");

        HttpResponse<String> empty = server.post("/v1/admit", "");
        assertThat(empty.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(empty.body()).path("message").stringValue()).contains("request body is empty");
    }

    @Test
    void fiveMebibyteObjectIsAccepted() throws Exception {
        StringBuilder data = new StringBuilder("{");
        String value = "v".repeat(1024);
        for (int i = 0; i < 5 * 1024; i++) {
            data.append(i == 0 ? "" : ",").append("\"key-").append(i).append("\":\"").append(value).append('"');
        }
        data.append('}');
        String object = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"big\"},\"data\":"
                + data + "}";
        String body = review("admission.k8s.io/v1", "u-big", object);
        assertThat(body.length()).isGreaterThan(5 << 20);

        JsonNode out = admit("/v1/admit", body);
        assertThat(out.at("/response/uid").stringValue()).isEqualTo("u-big");
        assertThat(out.at("/response/allowed").booleanValue()).isTrue();
    }

    @Test
    void deeplyNestedReviewIsRejectedWithItsUidAndTheServerCarriesOn() throws Exception {
        int depth = 100_000;
        String object = "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"spec\":" + "[".repeat(depth) + "]".repeat(depth) + "}";
        for (String version : List.of("admission.k8s.io/v1", "admission.k8s.io/v1beta1")) {
            // The uid comes before the deep object, so the review is answered: a rejection, not a failed call.
            JsonNode out = admit("/v1/admit", review(version, "u-deep", object));
            assertThat(out.path("apiVersion").stringValue()).isEqualTo(version);
            assertThat(out.at("/response/uid").stringValue()).isEqualTo("u-deep");
            assertThat(out.at("/response/allowed").booleanValue()).isFalse();
            assertThat(out.at("/response/status/code").intValue()).isEqualTo(400);
            assertThat(out.at("/response/status/message").stringValue())
                    .startsWith("AdmissionReview exceeds a parser limit").contains("nesting depth");
            assertNoStackTrace(out.toString());
        }

        // Without a uid before it there is nothing to answer to: HTTP 400.
        HttpResponse<String> anonymous = server.post("/v1/mutate",
                "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"object\":"
                        + object + ",\"uid\":\"late\"}}");
        assertThat(anonymous.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(anonymous.body()).path("message").stringValue()).contains("nesting depth");
        assertNoStackTrace(anonymous.body());

        assertThat(admit("/v1/admit", review("admission.k8s.io/v1", "u-after", pod("allow")))
                .at("/response/allowed").booleanValue()).isTrue();
    }

    @Test
    void bodyOverTheSizeLimitIsRejectedWith413() throws Exception {
        // Sent chunked (no Content-Length), so the server has to stop reading at the limit itself. The filler is
        // many short strings, so no other limit is hit first.
        byte[] head = "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u\",\"x\":["
                .getBytes(StandardCharsets.US_ASCII);
        HttpResponse<String> response = server.post("/v1/admit", oversized(head));

        // The uid was read before the limit: answered, with allowed false and code 413.
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode out = JSON.readTree(response.body());
        assertThat(out.at("/response/uid").stringValue()).isEqualTo("u");
        assertThat(out.at("/response/allowed").booleanValue()).isFalse();
        assertThat(out.at("/response/status/code").intValue()).isEqualTo(413);
        assertThat(out.at("/response/status/message").stringValue()).contains("too large").contains(String.valueOf(MAX_REQUEST_BYTES));

        // No uid before the limit: HTTP 413 with a Status.
        byte[] anonymous = "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"x\":["
                .getBytes(StandardCharsets.US_ASCII);
        HttpResponse<String> status = server.post("/v1/admit", oversized(anonymous));
        assertThat(status.statusCode()).isEqualTo(413);
        JsonNode body = JSON.readTree(status.body());
        assertThat(body.path("reason").stringValue()).isEqualTo("RequestEntityTooLarge");
        assertThat(body.path("message").stringValue()).contains("too large").contains(String.valueOf(MAX_REQUEST_BYTES));
    }

    /** The head, then 1 MiB more than the limit of short strings, chunked (in bulk: the body counts in the deadline). */
    private static HttpRequest.BodyPublisher oversized(byte[] head) {
        byte[] pattern = "\"0123456789abcdef\",".getBytes(StandardCharsets.US_ASCII);
        return HttpRequest.BodyPublishers.ofInputStream(() -> new SequenceInputStream(new ByteArrayInputStream(head),
                new InputStream() {
                    private long sent;

                    @Override
                    public int read() {
                        return sent < (MAX_REQUEST_BYTES + (1 << 20)) ? pattern[(int) (sent++ % pattern.length)] : -1;
                    }

                    @Override
                    public int read(byte[] buf, int off, int len) {
                        if (sent >= (MAX_REQUEST_BYTES + (1 << 20))) {
                            return -1;
                        }
                        int n = (int) Math.min(len, (MAX_REQUEST_BYTES + (1 << 20)) - sent);
                        for (int i = 0; i < n; i++) {
                            buf[off + i] = pattern[(int) (sent++ % pattern.length)];
                        }
                        return n;
                    }
                }));
    }

    @Test
    void throwingHandlerRejectsWithItsMessage() throws Exception {
        JsonNode out = admit("/v1/admit", review("admission.k8s.io/v1", "u-throw", pod("throw")));
        assertThat(out.at("/response/uid").stringValue()).isEqualTo("u-throw");
        assertThat(out.at("/response/allowed").booleanValue()).isFalse();
        assertThat(out.at("/response/status/code").intValue()).isEqualTo(500);
        assertThat(out.at("/response/status/message").stringValue())
                .isEqualTo("validation of Pod default/web failed: template k8srequiredlabels is broken");
        assertNoStackTrace(out.toString());

        JsonNode mutation = admit("/v1/mutate", review("admission.k8s.io/v1beta1", "u-throw2", pod("throw")));
        assertThat(mutation.at("/response/allowed").booleanValue()).isFalse();
        assertThat(mutation.at("/response/status/message").stringValue())
                .isEqualTo("mutation of Pod default/web failed: IllegalArgumentException");
    }

    @Test
    void handlerWithoutAnswerRejects() throws Exception {
        JsonNode out = admit("/v1/admit", review("admission.k8s.io/v1", "u-null", pod("null")));
        assertThat(out.at("/response/allowed").booleanValue()).isFalse();
        assertThat(out.at("/response/status/message").stringValue()).contains("the handler returned no response");
    }

    @Test
    void hangingHandlerGetsTheDeadlineAnswerAndIsInterrupted() throws Exception {
        JsonNode out = admit("/v1/admit", review("admission.k8s.io/v1", "u-hang", pod("hang")));

        assertThat(out.at("/response/uid").stringValue()).isEqualTo("u-hang");
        assertThat(out.at("/response/allowed").booleanValue()).isFalse();
        assertThat(out.at("/response/status/code").intValue()).isEqualTo(500);
        assertThat(out.at("/response/status/message").stringValue())
                .isEqualTo("validation of Pod default/web did not finish within the 5s deadline");
        assertThat(HANG_INTERRUPTED.await(30, TimeUnit.SECONDS)).as("the overrunning handler was interrupted").isTrue();
    }

    @Test
    void gatekeeperMetricsAreExposedForPrometheus() throws Exception {
        admit("/v1/admit", review("admission.k8s.io/v1", "m1", pod("allow")));
        admit("/v1/admit", review("admission.k8s.io/v1", "m2", pod("deny")));
        admit("/v1/admit", review("admission.k8s.io/v1", "m3", pod("throw")));
        admit("/v1/mutate", review("admission.k8s.io/v1", "m4", pod("allow")));

        HttpResponse<String> response = server.get("/actuator/prometheus");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body())
                .containsPattern("gatekeeper_validation_request_count_total\\{admission_dryrun=\"false\",admission_status=\"allow\"} \\d")
                .containsPattern("gatekeeper_validation_request_count_total\\{admission_dryrun=\"false\",admission_status=\"deny\"} \\d")
                .containsPattern("gatekeeper_validation_request_count_total\\{admission_dryrun=\"false\",admission_status=\"error\"} \\d")
                .contains("gatekeeper_validation_request_duration_seconds_bucket{admission_status=\"allow\",le=\"0.001\"}")
                .contains("gatekeeper_validation_request_duration_seconds_bucket{admission_status=\"allow\",le=\"10.0\"}")
                .containsPattern("gatekeeper_mutation_request_count_total\\{mutation_status=\"success\"} \\d")
                .contains("gatekeeper_mutation_request_duration_seconds_count{mutation_status=\"success\"}");
    }

    private static void assertNoStackTrace(String body) {
        assertThat(body).doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("io.portcullis.");
    }
}
