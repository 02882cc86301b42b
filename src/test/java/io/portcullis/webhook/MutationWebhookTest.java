package io.portcullis.webhook;

import static io.portcullis.webhook.AdmissionReviews.JSON;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

import io.fabric8.zjsonpatch.JsonPatch;
import jakarta.json.Json;
import jakarta.json.JsonReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code /v1/mutate} of the whole application over HTTPS: the example SeccompProfile and ProfileBinding
 * (examples/mutations), the gatekeeper-library's allowPrivilegeEscalation Assign mutators when the corpus is
 * there, and a mutator file that does not load. Every patch is applied to the original object by two independent
 * RFC 6902 implementations (zjsonpatch and Parsson's JSON-P), which must agree with the expected object.
 */
class MutationWebhookTest {

    private static final Path PROJECT = GatekeeperLibrary.PROJECT;
    private static final Path RESOURCES = PROJECT.resolve("src/test/resources/it/mutation");
    private static final String NGINX_PROFILE = "operator/nginx-1.27.json";

    @TempDir
    static Path dir;

    static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        Path mutations = Files.createDirectories(dir.resolve("mutations"));
        Files.copy(PROJECT.resolve("examples/mutations/nginx-seccomp-binding.yaml"), mutations.resolve("binding.yaml"));
        for (String name : List.of("demo-namespace.yaml", "broken-mutator.yaml")) {
            Files.copy(RESOURCES.resolve("mutations").resolve(name), mutations.resolve(name));
        }
        if (GatekeeperLibrary.available()) {
            Files.copy(GatekeeperLibrary.file("mutation/pod-security-policy/allow-privilege-escalation/samples/mutation.yaml"),
                    mutations.resolve("allow-privilege-escalation.yaml"));
        }
        Path constraints = Files.createDirectories(dir.resolve("constraints"));
        Files.copy(RESOURCES.resolve("constraints/config.yaml"), constraints.resolve("config.yaml"));

        server = TestServer.startApplication(dir.resolve("certs"),
                "portcullis.templates=" + Files.createDirectories(dir.resolve("templates")),
                "portcullis.constraints[0]=" + constraints,
                "portcullis.data[0]=" + dir.resolve("no-data"),
                "portcullis.mutations[0]=" + mutations);
        server.awaitReady(Duration.ofMinutes(5));
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void profileBindingAndLibraryAssignComeInOneCombinedPatch() throws Exception {
        GatekeeperLibrary.assumeAvailable();
        ObjectNode pod = demoPod();

        ObjectNode expected = pod.deepCopy();
        ObjectNode nginx = (ObjectNode) expected.at("/spec/containers/0");
        nginx.withObjectProperty("securityContext").putObject("seccompProfile")
                .put("type", "Localhost").put("localhostProfile", NGINX_PROFILE);
        // The Assign's pathTest (MustNotExist) leaves metrics' explicit true alone.
        nginx.withObjectProperty("securityContext").put("allowPrivilegeEscalation", false);
        ((ObjectNode) expected.at("/spec/initContainers/0")).putObject("securityContext").put("allowPrivilegeEscalation", false);

        assertThat(mutate(pod)).isEqualTo(expected);
    }

    @Test
    void profileBindingAloneGivesThePatchForTheBoundContainer() throws Exception {
        ObjectNode pod = demoPod();
        ((ObjectNode) pod.at("/spec/containers/0")).putObject("securityContext").put("allowPrivilegeEscalation", false);
        ((ObjectNode) pod.at("/spec/initContainers/0")).putObject("securityContext").put("allowPrivilegeEscalation", false);

        ObjectNode expected = pod.deepCopy();
        ((ObjectNode) expected.at("/spec/containers/0/securityContext")).putObject("seccompProfile")
                .put("type", "Localhost").put("localhostProfile", NGINX_PROFILE);
        assertThat(mutate(pod)).isEqualTo(expected);
    }

    @Test
    void thePatchedObjectSentAgainIsNotPatched() throws Exception {
        ObjectNode patched = mutate(demoPod());

        JsonNode again = post(AdmissionReviews.create(patched));
        assertThat(again.path("allowed").booleanValue()).isTrue();
        assertThat(again.has("patch")).isFalse();
        assertThat(again.has("patchType")).isFalse();
        assertThat(again.at("/status/message").stringValue()).isEqualTo("Resource was not mutated");
    }

    @Test
    void aPodOfSeveralMebibytesIsPatched() throws Exception {
        ObjectNode pod = demoPod();
        pod.withObjectProperty("metadata").putObject("annotations").put("filler", "x".repeat(5 << 20));
        assertThat(AdmissionReviews.create(pod).json().length()).isGreaterThan(5 << 20);

        ObjectNode patched = mutate(pod);
        assertThat(patched.at("/spec/containers/0/securityContext/seccompProfile/localhostProfile").stringValue())
                .isEqualTo(NGINX_PROFILE);
        assertThat(patched.at("/metadata/annotations/filler").stringValue()).hasSize(5 << 20);
    }

    @Test
    void onlyCreateAndUpdateAreMutated() throws Exception {
        JsonNode delete = post(AdmissionReviews.delete(demoPod()));
        assertThat(delete.path("allowed").booleanValue()).isTrue();
        assertThat(delete.has("patch")).isFalse();
        assertThat(delete.at("/status/message").stringValue()).isEqualTo("Mutating only on create or update");
    }

    @Test
    void configExcludesNamespacesForTheMutationWebhook() throws Exception {
        GatekeeperLibrary.assumeAvailable();
        ObjectNode pod = demoPod();
        pod.withObjectProperty("metadata").put("namespace", "no-mutation-ns");
        JsonNode excluded = post(AdmissionReviews.create(pod));
        assertThat(excluded.path("allowed").booleanValue()).isTrue();
        assertThat(excluded.has("patch")).isFalse();
        assertThat(excluded.at("/status/message").stringValue())
                .isEqualTo("Namespace is set to be ignored by Gatekeeper config");

        // The same pod elsewhere gets the Assign mutators (no binding outside demo).
        pod.withObjectProperty("metadata").put("namespace", "other-ns");
        assertThat(mutate(pod).at("/spec/initContainers/0/securityContext/allowPrivilegeEscalation").booleanValue()).isFalse();
    }

    @Test
    void gatekeeperResourcesAreNotMutated() throws Exception {
        ObjectNode constraint = JSON.createObjectNode().put("apiVersion", "constraints.gatekeeper.sh/v1beta1")
                .put("kind", "K8sRequiredLabels");
        constraint.putObject("metadata").put("name", "labels");
        JsonNode response = post(AdmissionReviews.create(constraint));
        assertThat(response.path("allowed").booleanValue()).isTrue();
        assertThat(response.has("patch")).isFalse();
        assertThat(response.at("/status/message").stringValue()).isEqualTo("Not mutating gatekeeper resources");
    }

    @Test
    void malformedInputIsAClearError() throws Exception {
        HttpResponse<String> malformed = server.post("/v1/mutate", "{\"apiVersion\":\"admission.k8s.io/v1\",");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(malformed.body()).path("message").stringValue()).startsWith("malformed JSON:");
        ValidationWebhookTest.assertNoStackTrace(malformed.body());

        ObjectNode notAnObject = AdmissionReviews.create(demoPod()).toJson();
        ((ObjectNode) notAnObject.path("request")).put("object", "a pod");
        HttpResponse<String> text = server.post("/v1/mutate", JSON.writeValueAsString(notAnObject));
        assertThat(text.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(text.body()).path("message").stringValue())
                .isEqualTo("request.object must be an object, got a JSON string");

        // A CREATE without an object is an AdmissionReview, so it is answered, with an error that rejects it.
        ObjectNode noObject = AdmissionReviews.create(demoPod()).toJson();
        ((ObjectNode) noObject.path("request")).putNull("object");
        JsonNode response = JSON.readTree(server.post("/v1/mutate", JSON.writeValueAsString(noObject)).body()).path("response");
        assertThat(response.path("allowed").booleanValue()).isFalse();
        assertThat(response.at("/status/code").intValue()).isEqualTo(400);
        assertThat(response.at("/status/message").stringValue()).isEqualTo("the object to mutate is not a JSON object");
    }

    @Test
    void aMutatorFileThatDoesNotLoadIsReportedAndTheOthersStillApply() throws Exception {
        JsonNode info = JSON.readTree(server.get("/actuator/info").body()).path("policies");
        assertThat(ValidationWebhookTest.strings(info.path("problems"))).singleElement().satisfies(problem -> assertThat(problem)
                .startsWith(dir.resolve("mutations/broken-mutator.yaml").toString()).contains("broken-location"));
        assertThat(info.path("profileBindings").intValue()).isEqualTo(1);
        assertThat(info.path("mutators").intValue()).isEqualTo(GatekeeperLibrary.available() ? 3 : 0);
    }

    // ---- helpers ----

    /** The {@code response} of the AdmissionReview answering the review. */
    private static JsonNode post(AdmissionReviews review) throws Exception {
        HttpResponse<String> http = server.post("/v1/mutate", review.json());
        assertThat(http.statusCode()).as(http.body()).isEqualTo(200);
        JsonNode answer = JSON.readTree(http.body());
        assertThat(answer.at("/response/uid").stringValue()).isEqualTo(review.uid());
        return answer.path("response");
    }

    /**
     * Mutates the object through the webhook and returns it patched. The patch must be a JSONPatch that zjsonpatch
     * and JSON-P both apply to the original with the same result.
     */
    private static ObjectNode mutate(ObjectNode object) throws Exception {
        JsonNode response = post(AdmissionReviews.create(object));
        assertThat(response.path("allowed").booleanValue()).isTrue();
        assertThat(response.path("patchType").stringValue()).isEqualTo("JSONPatch");
        JsonNode patch = JSON.readTree(Base64.getDecoder().decode(response.path("patch").stringValue()));
        assertThat(patch.isArray() && !patch.isEmpty()).as("patch %s", patch).isTrue();

        JsonNode byZjsonpatch = JsonPatch.apply(patch, object);
        JsonNode byJsonP;
        try (JsonReader patchReader = Json.createReader(new StringReader(patch.toString()));
             JsonReader documentReader = Json.createReader(new StringReader(object.toString()))) {
            byJsonP = JSON.readTree(Json.createPatch(patchReader.readArray()).apply(documentReader.readObject()).toString());
        }
        assertThat(byJsonP).as("JSON-P and zjsonpatch apply %s alike", patch).isEqualTo(byZjsonpatch);
        return (ObjectNode) byZjsonpatch;
    }

    /** The README's pod: nginx:1.27 (bound by the example binding), an exporter, an init container; in demo. */
    private static ObjectNode demoPod() {
        ObjectNode pod = JSON.createObjectNode().put("apiVersion", "v1").put("kind", "Pod");
        pod.putObject("metadata").put("name", "web").put("namespace", "demo").putObject("labels").put("app", "web");
        ObjectNode spec = pod.putObject("spec");
        spec.putArray("initContainers").addObject().put("name", "setup").put("image", "busybox:1.36");
        ArrayNode containers = spec.putArray("containers");
        containers.addObject().put("name", "nginx").put("image", "nginx:1.27");
        containers.addObject().put("name", "metrics").put("image", "nginx/nginx-prometheus-exporter:1.3")
                .putObject("securityContext").put("allowPrivilegeEscalation", true);
        return pod;
    }
}
