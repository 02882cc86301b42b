package io.portcullis.webhook;

import static io.portcullis.webhook.AdmissionReviews.JSON;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code /v1/admitlabel} over real HTTPS, answered as Gatekeeper's namespace-label webhook answers: only an exempt
 * namespace (by name, prefix or suffix) may carry {@code admission.gatekeeper.sh/ignore}. It goes through the same
 * transport as {@code /v1/admit}: HTTP 503 until the policies are in force, 400 for a body that is no review.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NamespaceLabelWebhookTest {

    private static final String DENIED = "Only exempt namespace can have the admission.gatekeeper.sh/ignore label";

    @TempDir
    static Path dir;

    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(dir.resolve("certs"), List.of(), "portcullis.exempt-namespaces[0]=kube-system",
                "portcullis.exempt-namespace-prefixes[0]=team-", "portcullis.exempt-namespace-suffixes[0]=-sandbox");
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Test
    @Order(1)
    void refusedWith503UntilPoliciesAreInForce() throws Exception {
        HttpResponse<String> response = server.post("/v1/admitlabel",
                AdmissionReviews.create(namespace("apps", true)).json());
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(JSON.readTree(response.body()).path("reason").asString()).isEqualTo("ServiceUnavailable");
        server.policiesInForce();
    }

    @Test
    void theIgnoreLabelOnANamespaceThatIsNotExemptIsDenied() throws Exception {
        JsonNode created = answer(AdmissionReviews.create(namespace("apps", true)));
        assertThat(created.path("allowed").asBoolean()).isFalse();
        assertThat(created.at("/status/code").asInt()).isEqualTo(403);
        assertThat(created.at("/status/message").asString()).isEqualTo(DENIED);

        JsonNode labelled = answer(AdmissionReviews.update(namespace("apps", true), namespace("apps", false)));
        assertThat(labelled.path("allowed").asBoolean()).isFalse();
        assertThat(labelled.at("/status/message").asString()).isEqualTo(DENIED);
    }

    @Test
    void exemptNamespacesByNamePrefixOrSuffixMayCarryIt() throws Exception {
        for (String name : List.of("kube-system", "team-a", "ci-sandbox")) {
            JsonNode answer = answer(AdmissionReviews.create(namespace(name, true)));
            assertThat(answer.path("allowed").asBoolean()).as(name).isTrue();
            assertThat(answer.at("/status/message").asString())
                    .isEqualTo("Namespace " + name + " is allowed to set admission.gatekeeper.sh/ignore");
        }
        // A prefix is not a suffix, nor a name a prefix.
        for (String name : List.of("a-team-", "kube-system-2", "sandbox-ci")) {
            assertThat(answer(AdmissionReviews.create(namespace(name, true))).path("allowed").asBoolean()).as(name)
                    .isFalse();
        }
    }

    @Test
    void everythingElseIsAllowedWithGatekeepersMessages() throws Exception {
        assertThat(answer(AdmissionReviews.create(namespace("apps", false))).at("/status/message").asString())
                .isEqualTo("Namespace is not setting the admission.gatekeeper.sh/ignore label");
        JsonNode deleted = answer(AdmissionReviews.delete(namespace("apps", true)));
        assertThat(deleted.path("allowed").asBoolean()).isTrue();
        assertThat(deleted.at("/status/message").asString()).isEqualTo("Delete is always allowed");

        ObjectNode configMap = JSON.createObjectNode().put("apiVersion", "v1").put("kind", "ConfigMap");
        configMap.putObject("metadata").put("name", "c").put("namespace", "apps").putObject("labels")
                .put("admission.gatekeeper.sh/ignore", "yes");
        JsonNode other = answer(AdmissionReviews.create(configMap));
        assertThat(other.path("allowed").asBoolean()).isTrue();
        assertThat(other.at("/status/message").asString()).isEqualTo("Not a namespace");
    }

    @Test
    void aNamespaceThatCannotBeDecodedIsAnErrorNotAnAllow() throws Exception {
        ObjectNode review = AdmissionReviews.create(namespace("apps", true)).toJson();
        ((ObjectNode) review.path("request").path("object")).remove("kind");
        JsonNode answer = JSON.readTree(server.post("/v1/admitlabel", JSON.writeValueAsString(review)).body())
                .path("response");
        assertThat(answer.path("allowed").asBoolean()).isFalse();
        assertThat(answer.at("/status/code").asInt()).isEqualTo(500);
        assertThat(answer.at("/status/message").asString()).startsWith("while deserializing resource: ");

        HttpResponse<String> notAReview = server.post("/v1/admitlabel", "{\"kind\":");
        assertThat(notAReview.statusCode()).isEqualTo(400);
    }

    private static JsonNode answer(AdmissionReviews review) throws Exception {
        HttpResponse<String> response = server.post("/v1/admitlabel", review.json());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode answer = JSON.readTree(response.body()).path("response");
        assertThat(answer.path("uid").asString()).isEqualTo(review.uid());
        return answer;
    }

    private static ObjectNode namespace(String name, boolean ignoreLabel) {
        ObjectNode namespace = JSON.createObjectNode().put("apiVersion", "v1").put("kind", "Namespace");
        ObjectNode labels = namespace.putObject("metadata").put("name", name).putObject("labels")
                .put("kubernetes.io/metadata.name", name);
        if (ignoreLabel) {
            labels.put("admission.gatekeeper.sh/ignore", "no-policy");
        }
        return namespace;
    }
}
