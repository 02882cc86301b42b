package io.portcullis.webhook;

import static io.portcullis.webhook.AdmissionReviews.JSON;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import io.portcullis.constraint.Manifests;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code /v1/admit} of the whole application over HTTPS: policies loaded from directories by the real policy
 * source, Rego compiled by the real OPA compiler, reviews posted as the API server posts them. The policies are
 * in src/test/resources/it/validation; each case has a namespace of its own there, so constraints of other cases
 * stay out of its answers.
 */
class ValidationWebhookTest {

    private static final Path PROJECT = GatekeeperLibrary.PROJECT;
    private static final Path RESOURCES = PROJECT.resolve("src/test/resources/it/validation");
    private static final String NOT_IGNORED = "Namespace is set to be ignored by Gatekeeper config";

    @TempDir
    static Path dir;

    static Path constraints;
    static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        Path templates = Files.createDirectories(dir.resolve("templates"));
        Files.copy(PROJECT.resolve("constraint-templates/k8srequiredseccompprofile/template.yaml"),
                templates.resolve("k8srequiredseccompprofile.yaml"));
        copyDirectory(RESOURCES.resolve("templates"), templates);
        if (GatekeeperLibrary.available()) {
            for (String name : List.of("requiredlabels", "uniqueserviceselector", "noupdateserviceaccount")) {
                Files.copy(GatekeeperLibrary.file("library/general/" + name + "/template.yaml"),
                        templates.resolve(name + ".yaml"));
            }
        }
        constraints = copyDirectory(RESOURCES.resolve("constraints"), Files.createDirectories(dir.resolve("constraints")));
        Path data = copyDirectory(RESOURCES.resolve("data"), Files.createDirectories(dir.resolve("data")));

        server = TestServer.startApplication(dir.resolve("certs"),
                "portcullis.templates=" + templates,
                "portcullis.constraints[0]=" + constraints,
                "portcullis.data[0]=" + data,
                "portcullis.mutations[0]=" + dir.resolve("no-mutations"),
                "portcullis.exempt-namespaces[0]=exempt-ns",
                "portcullis.namespace=portcullis-it");
        server.awaitReady(Duration.ofMinutes(5));
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    // ---- enforcement actions ----

    @Test
    void denyJoinsTheDenyLinesSortedByMessageAndKeepsTheWarnings() throws Exception {
        GatekeeperLibrary.assumeAvailable();
        JsonNode response = admit(AdmissionReviews.create(pod("deny-ns", "web", "web", "app")));

        assertThat(response.path("allowed").booleanValue()).isFalse();
        assertThat(response.at("/status/code").intValue()).isEqualTo(403);
        assertThat(response.at("/status/reason").stringValue()).isEqualTo("Forbidden");
        // Sorted by message, not by constraint name: a-require-owner's lines come last. K8sRequiredLabels has CEL,
        // which Gatekeeper runs by default: both its validations fail (its parameters.message is for the Rego).
        assertThat(response.at("/status/message").stringValue()).isEqualTo(String.join("\n",
                "[a-require-seccomp] " + unconfined("app"),
                "[a-require-seccomp] " + unconfined("web"),
                "[a-require-owner] missing required label, requires all of: owner",
                "[a-require-owner] regex mismatch"));
        assertThat(strings(response.path("warnings"))).containsExactly(
                "[team-label-warning] missing required label, requires all of: team",
                "[team-label-warning] regex mismatch");
    }

    @Test
    void warnAllowsWithCode299AndOneWarningPerViolation() throws Exception {
        JsonNode response = admit(AdmissionReviews.create(pod("warn-ns", "web", "web", "app")));

        assertThat(response.path("allowed").booleanValue()).isTrue();
        assertThat(response.at("/status/code").intValue()).isEqualTo(299);
        assertThat(response.at("/status").has("message")).isFalse();
        assertThat(strings(response.path("warnings"))).containsExactly(
                "[warn-seccomp] " + unconfined("app"),
                "[warn-seccomp] " + unconfined("web"));
    }

    @Test
    void dryrunAllowsWithoutMessageOrWarning() throws Exception {
        JsonNode response = admit(AdmissionReviews.create(pod("dryrun-ns", "web", "web")));

        assertThat(response.path("allowed").booleanValue()).isTrue();
        assertThat(response.at("/status/code").intValue()).isEqualTo(200);
        assertThat(response.at("/status").has("message")).isFalse();
        assertThat(response.has("warnings")).isFalse();
    }

    @Test
    void scopedConstraintsActAsScopedForTheWebhookEnforcementPoint() throws Exception {
        JsonNode response = admit(AdmissionReviews.create(pod("scoped-ns", "web", "web")));

        // scoped-audit-only is not evaluated here at all; scoped-warn-at-webhook only warns.
        assertThat(response.path("allowed").booleanValue()).isFalse();
        assertThat(response.at("/status/message").stringValue()).isEqualTo("[scoped-deny-everywhere] " + unconfined("web"));
        assertThat(strings(response.path("warnings"))).containsExactly("[scoped-warn-at-webhook] " + unconfined("web"));
    }

    @Test
    void compliantPodsAreAllowedWithCode200() throws Exception {
        JsonNode response = admit(AdmissionReviews.create(withPodSeccomp(pod("warn-ns", "web", "web", "app"))));

        assertThat(response.path("allowed").booleanValue()).isTrue();
        assertThat(response.at("/status/code").intValue()).isEqualTo(200);
        assertThat(response.has("warnings")).isFalse();
    }

    // ---- what is skipped ----

    @Test
    void configExcludesItsNamespacesForTheWebhookProcessOnly() throws Exception {
        JsonNode excluded = admit(AdmissionReviews.create(pod("excluded-ns", "web", "web")));
        assertThat(excluded.path("allowed").booleanValue()).isTrue();
        assertThat(excluded.at("/status/code").intValue()).isEqualTo(200);
        assertThat(excluded.at("/status/message").stringValue()).isEqualTo(NOT_IGNORED);

        // Excluded for audit and mutation only; and the Config not named "config" (excluding "*") counts for nothing.
        JsonNode auditOnly = admit(AdmissionReviews.create(pod("audit-excluded-ns", "web", "web")));
        assertThat(auditOnly.path("allowed").booleanValue()).isFalse();
        assertThat(auditOnly.at("/status/message").stringValue()).isEqualTo("[a-require-seccomp] " + unconfined("web"));

        // DELETE tests oldObject's namespace; a Namespace is tested by its own name.
        ObjectNode protectedMap = configMap("excluded-ns", "settings");
        protectedMap.withObjectProperty("metadata").putObject("labels").put("protected", "true");
        assertThat(admit(AdmissionReviews.delete(protectedMap)).at("/status/message").stringValue()).isEqualTo(NOT_IGNORED);
        ObjectNode namespace = JSON.createObjectNode().put("apiVersion", "v1").put("kind", "Namespace");
        namespace.putObject("metadata").put("name", "excluded-team");
        assertThat(admit(AdmissionReviews.create(namespace)).at("/status/message").stringValue()).isEqualTo(NOT_IGNORED);
    }

    @Test
    void requestsOfTheServersOwnServiceAccountAreNotEvaluated() throws Exception {
        JsonNode response = admit(AdmissionReviews.create(pod("deny-ns", "web", "web"))
                .user("system:serviceaccount:portcullis-it:portcullis"));
        assertThat(response.path("allowed").booleanValue()).isTrue();
        assertThat(response.at("/status/message").stringValue()).isEqualTo("Portcullis does not self-manage");
    }

    @Test
    void exemptNamespacesAndTheServersOwnNamespaceAreNotEvaluated() throws Exception {
        for (String namespace : List.of("exempt-ns", "portcullis-it")) {
            JsonNode response = admit(AdmissionReviews.create(pod(namespace, "web", "web")));
            assertThat(response.path("allowed").booleanValue()).as(namespace).isTrue();
            assertThat(response.at("/status/message").stringValue()).isEqualTo("Namespace " + namespace + " is exempt");
        }
    }

    // ---- operations and versions ----

    @Test
    void deleteIsEvaluatedOnTheOldObject() throws Exception {
        ObjectNode protectedMap = configMap("any-ns", "settings");
        protectedMap.withObjectProperty("metadata").putObject("labels").put("protected", "true");

        JsonNode denied = admit(AdmissionReviews.delete(protectedMap));
        assertThat(denied.path("allowed").booleanValue()).isFalse();
        assertThat(denied.at("/status/message").stringValue())
                .isEqualTo("[protect-labelled] ConfigMap settings is protected and cannot be deleted");

        assertThat(admit(AdmissionReviews.delete(configMap("any-ns", "settings"))).path("allowed").booleanValue()).isTrue();
        // The template lists only DELETE in its operations: creating the same object is not its business.
        assertThat(admit(AdmissionReviews.create(protectedMap)).path("allowed").booleanValue()).isTrue();
    }

    @Test
    void updateIsEvaluatedWithTheOldObject() throws Exception {
        ObjectNode before = withServiceAccount(pod("update-ns", "web", "web"), "default");
        ObjectNode after = withServiceAccount(pod("update-ns", "web", "web", "sidecar"), "default");

        // The seccomp template does not blame an UPDATE for containers that oldObject already had.
        JsonNode response = admit(AdmissionReviews.update(after, before));
        assertThat(response.path("allowed").booleanValue()).isFalse();
        assertThat(response.at("/status/message").stringValue()).isEqualTo("[a-require-seccomp] " + unconfined("sidecar"));

        assertThat(admit(AdmissionReviews.update(before, before)).path("allowed").booleanValue()).isTrue();
    }

    @Test
    void updateChangingTheServiceAccountIsDeniedByTheLibraryTemplate() throws Exception {
        GatekeeperLibrary.assumeAvailable();
        ObjectNode before = withServiceAccount(withPodSeccomp(pod("update-ns", "web", "web")), "default");
        ObjectNode after = withServiceAccount(withPodSeccomp(pod("update-ns", "web", "web")), "admin");

        JsonNode response = admit(AdmissionReviews.update(after, before));
        assertThat(response.path("allowed").booleanValue()).isFalse();
        assertThat(response.at("/status/message").stringValue())
                .isEqualTo("[no-sa-change] user does not have permission to modify serviceAccountName");
    }

    @Test
    void v1beta1ReviewsAreAnsweredInV1beta1WithTheSameDecision() throws Exception {
        ObjectNode pod = pod("scoped-ns", "web", "web");
        AdmissionReviews v1beta1 = AdmissionReviews.create(pod).version(AdmissionReviews.V1BETA1);
        HttpResponse<String> http = server.post("/v1/admit", v1beta1.json());
        assertThat(http.statusCode()).isEqualTo(200);
        JsonNode review = JSON.readTree(http.body());

        assertThat(review.path("apiVersion").stringValue()).isEqualTo(AdmissionReviews.V1BETA1);
        assertThat(review.path("kind").stringValue()).isEqualTo("AdmissionReview");
        assertThat(review.at("/response/uid").stringValue()).isEqualTo(v1beta1.uid());
        JsonNode v1 = admit(AdmissionReviews.create(pod));
        ((ObjectNode) v1).remove("uid");
        ((ObjectNode) review.path("response")).remove("uid");
        assertThat(review.path("response")).isEqualTo(v1);
    }

    // ---- namespaces and inventory ----

    @Test
    void namespaceSelectorsAndNamespaceObjectsUseTheNamespacesOfTheDataDirectory() throws Exception {
        JsonNode prod = admit(AdmissionReviews.create(pod("prod-ns", "web", "web")));
        assertThat(prod.path("allowed").booleanValue()).isFalse();
        assertThat(prod.at("/status/message").stringValue()).isEqualTo("[prod-require-seccomp] " + unconfined("web"));
        assertThat(strings(prod.path("warnings")))
                .containsExactly("[namespace-team] Pod web belongs to team payments of namespace prod-ns");

        JsonNode dev = admit(AdmissionReviews.create(pod("dev-ns", "web", "web")));
        assertThat(dev.path("allowed").booleanValue()).isTrue();
        assertThat(strings(dev.path("warnings")))
                .containsExactly("[namespace-team] Pod web belongs to team search of namespace dev-ns");

        // No such Namespace: Rego sees namespaceObject null.
        JsonNode unknown = admit(AdmissionReviews.create(pod("unknown-ns", "web", "web")));
        assertThat(unknown.path("allowed").booleanValue()).isTrue();
        assertThat(strings(unknown.path("warnings"))).containsExactly("[namespace-team] namespace unknown-ns is not known");
    }

    @Test
    void namespaceSelectorOnAnUnknownNamespaceRejectsAsGatekeeperDoes() throws Exception {
        JsonNode response = admit(AdmissionReviews.create(pod("nowhere-ns", "web", "web")));

        assertThat(response.path("allowed").booleanValue()).isFalse();
        assertThat(response.at("/status/message").stringValue())
                .startsWith("[prod-require-seccomp] unable to match constraints: error matching the requested object: web "
                        + ":failed to run Match criteria: namespace selector for namespace-scoped object but missing Namespace");
    }

    @Test
    void referentialTemplateReadsTheInventoryOfTheDataDirectory() throws Exception {
        GatekeeperLibrary.assumeAvailable();
        JsonNode clash = admit(AdmissionReviews.create(service("shop", "web-copy", "web", "frontend")));
        assertThat(clash.path("allowed").booleanValue()).isFalse();
        assertThat(clash.at("/status/message").stringValue())
                .isEqualTo("[unique-service-selector] same selector as service <web> in namespace <shop>");

        assertThat(admit(AdmissionReviews.create(service("shop", "api", "api", "backend"))).path("allowed").booleanValue())
                .isTrue();
        // The inventory's own object, updated, does not clash with itself.
        ObjectNode web = service("shop", "web", "web", "frontend");
        assertThat(admit(AdmissionReviews.update(web, web)).path("allowed").booleanValue()).isTrue();
    }

    // ---- size and malformed input ----

    @Test
    void objectsOfSeveralMebibytesAreEvaluated() throws Exception {
        ObjectNode pod = pod("big-ns", "big", "web");
        pod.withObjectProperty("metadata").putObject("annotations").put("filler", "x".repeat(5 << 20));
        AdmissionReviews review = AdmissionReviews.create(pod);
        assertThat(review.json().length()).isGreaterThan(5 << 20);

        JsonNode denied = admit(review);
        assertThat(denied.path("uid").stringValue()).isEqualTo(review.uid());
        assertThat(denied.at("/status/message").stringValue()).isEqualTo("[a-require-seccomp] " + unconfined("web"));
        assertThat(admit(AdmissionReviews.create(withPodSeccomp(pod))).path("allowed").booleanValue()).isTrue();
    }

    @Test
    void fiveMebibyteConfigMapIsEvaluatedByALibraryTemplate() throws Exception {
        GatekeeperLibrary.assumeAvailable();
        ObjectNode map = configMap("big-ns", "big");
        ObjectNode data = map.putObject("data");
        for (int i = 0; i < 5 * 1024; i++) {
            data.put("key-" + i, "v".repeat(1024));
        }
        JsonNode denied = admit(AdmissionReviews.create(map));
        assertThat(denied.at("/status/message").stringValue())
                .isEqualTo("[configmaps-need-owner] missing required label, requires all of: owner\n"
                        + "[configmaps-need-owner] regex mismatch");

        map.withObjectProperty("metadata").putObject("labels").put("owner", "alice");
        assertThat(admit(AdmissionReviews.create(map)).path("allowed").booleanValue()).isTrue();
    }

    @Test
    void malformedOrForeignBodiesAreAClear400() throws Exception {
        HttpResponse<String> malformed = server.post("/v1/admit", "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(malformed.body()).path("message").stringValue()).startsWith("malformed JSON:");
        assertNoStackTrace(malformed.body());

        HttpResponse<String> pod = server.post("/v1/admit", JSON.writeValueAsString(pod("deny-ns", "web", "web")));
        assertThat(pod.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(pod.body()).path("message").stringValue()).contains("expected kind AdmissionReview");
        assertNoStackTrace(pod.body());
    }

    // ---- problems, self-validation, reload ----

    @Test
    void templateWhoseRegoDoesNotCompileEnforcesNothingAndIsReportedWithItsLocation() throws Exception {
        // K8sBrokenRego's constraint matches every Pod, but has no template to run.
        JsonNode response = admit(AdmissionReviews.create(pod("broken-ns", "web", "web")));
        assertThat(response.path("allowed").booleanValue()).isTrue();

        HttpResponse<String> info = server.get("/actuator/info");
        assertThat(info.statusCode()).isEqualTo(200);
        List<String> problems = strings(JSON.readTree(info.body()).at("/policies/problems"));
        Path templateFile = dir.resolve("templates/k8sbrokenrego.yaml");
        assertThat(problems).anySatisfy(p -> assertThat(p)
                .startsWith(templateFile + ": ConstraintTemplate k8sbrokenrego: ")
                .containsPattern("k8sbrokenrego\\.rego:\\d+:\\d+: rego_parse_error"));
        assertThat(problems).anySatisfy(p -> assertThat(p)
                .startsWith(constraints.resolve("custom.yaml") + ": K8sBrokenRego broken: "));
        assertThat(server.get("/readyz").statusCode()).isEqualTo(200);
    }

    @Test
    void filesInErrorAreListedInTheReadinessDetailsAndCountedWhileReadinessStaysUp() throws Exception {
        HttpResponse<String> ready = server.get("/readyz");
        assertThat(ready.statusCode()).isEqualTo(200);
        JsonNode files = JSON.readTree(ready.body()).at("/components/policyFiles");
        assertThat(files.path("status").stringValue()).isEqualTo("UP");
        JsonNode inError = files.at("/details/filesInError");
        assertThat(strings(inError.path(dir.resolve("templates/k8sbrokenrego.yaml").toString())))
                .singleElement().satisfies(m -> assertThat(m).startsWith("ConstraintTemplate k8sbrokenrego: "));
        assertThat(strings(inError.path(constraints.resolve("custom.yaml").toString())))
                .anySatisfy(m -> assertThat(m).startsWith("K8sBrokenRego broken: "));

        String metrics = server.get("/actuator/prometheus").body();
        assertThat(metrics).containsPattern("(?m)^portcullis_policy_files_in_error " + inError.size() + "(\\.0)?$");
    }

    @Test
    void constraintWhoseParametersBreakTheSchemaIsRefusedWith422() throws Exception {
        ObjectNode constraint = constraint("K8sRequiredSeccompProfile", "bad-parameters");
        constraint.withObjectProperty("spec").putObject("parameters").putArray("allowedProfileTypes").add("Bogus");

        JsonNode response = admit(AdmissionReviews.create(constraint));
        assertThat(response.path("allowed").booleanValue()).isFalse();
        assertThat(response.at("/status/code").intValue()).isEqualTo(422);
        assertThat(response.at("/status/message").stringValue())
                .contains("spec.parameters.allowedProfileTypes").contains("enumeration");

        ObjectNode valid = constraint("K8sRequiredSeccompProfile", "fine");
        valid.withObjectProperty("spec").putObject("parameters").putArray("allowedProfileTypes").add("RuntimeDefault");
        assertThat(admit(AdmissionReviews.create(valid)).path("allowed").booleanValue()).isTrue();

        ObjectNode badAction = constraint("K8sRequiredSeccompProfile", "bad-action");
        badAction.withObjectProperty("spec").put("enforcementAction", "block");
        JsonNode refused = admit(AdmissionReviews.create(badAction));
        assertThat(refused.at("/status/code").intValue()).isEqualTo(500);
        assertThat(refused.at("/status/message").stringValue()).contains("unrecognized enforcementAction");
    }

    @Test
    void constraintTemplateWhoseRegoDoesNotCompileIsRefusedWith422() throws Exception {
        ObjectNode broken = Manifests.readObjects(RESOURCES.resolve("templates/k8sbrokenrego.yaml")).getFirst();
        JsonNode response = admit(AdmissionReviews.create(broken));
        assertThat(response.path("allowed").booleanValue()).isFalse();
        assertThat(response.at("/status/code").intValue()).isEqualTo(422);
        assertThat(response.at("/status/message").stringValue()).contains("rego_parse_error");

        ObjectNode fine = Manifests.readObjects(RESOURCES.resolve("templates/k8snamespaceteam.yaml")).getFirst();
        assertThat(admit(AdmissionReviews.create(fine)).path("allowed").booleanValue()).isTrue();
    }

    @Test
    void editingAConstraintFileChangesEnforcementWithinSeconds() throws Exception {
        AdmissionReviews review = AdmissionReviews.create(pod("reload-ns", "web", "web"));
        assertThat(admit(review).at("/status/message").stringValue()).isEqualTo("[reload-seccomp] " + unconfined("web"));

        Path file = constraints.resolve("reload.yaml");
        Files.writeString(file, Files.readString(file).replace("enforcementAction: deny", "enforcementAction: warn")
                + "# now a warning\n");
        JsonNode warned = awaitAnswer(review, r -> r.path("allowed").booleanValue());
        assertThat(strings(warned.path("warnings"))).containsExactly("[reload-seccomp] " + unconfined("web"));

        Files.delete(file);
        JsonNode clean = awaitAnswer(review, r -> !r.has("warnings"));
        assertThat(clean.path("allowed").booleanValue()).isTrue();
    }

    // ---- helpers ----

    /** The {@code response} of the AdmissionReview answering the review. */
    static JsonNode admit(AdmissionReviews review) throws Exception {
        HttpResponse<String> http = server.post("/v1/admit", review.json());
        assertThat(http.statusCode()).as(http.body()).isEqualTo(200);
        JsonNode answer = JSON.readTree(http.body());
        assertThat(answer.path("apiVersion").stringValue()).isEqualTo(AdmissionReviews.V1);
        assertThat(answer.at("/response/uid").stringValue()).isEqualTo(review.uid());
        return answer.path("response");
    }

    /** Posts the review until the answer passes (the directory is polled every second; bounded at 60 s). */
    private static JsonNode awaitAnswer(AdmissionReviews review, Predicate<JsonNode> done) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        JsonNode answer = admit(review);
        while (!done.test(answer) && System.nanoTime() < end) {
            Thread.sleep(200);
            answer = admit(review);
        }
        assertThat(done.test(answer)).as("answer after the edit: %s", answer).isTrue();
        return answer;
    }

    /** The template's message for a container without any seccomp profile, with its default allowed types. */
    static String unconfined(String container) {
        return "container \"" + container + "\" has no seccomp profile: seccompProfile is set neither on the container"
                + " nor on the pod, so it would run Unconfined; allowed types: Localhost, RuntimeDefault";
    }

    static ObjectNode pod(String namespace, String name, String... containers) {
        ObjectNode pod = JSON.createObjectNode().put("apiVersion", "v1").put("kind", "Pod");
        pod.putObject("metadata").put("name", name).put("namespace", namespace);
        ArrayNode list = pod.putObject("spec").putArray("containers");
        for (String container : containers) {
            list.addObject().put("name", container).put("image", "nginx:1.27");
        }
        return pod;
    }

    static ObjectNode withPodSeccomp(ObjectNode pod) {
        ObjectNode copy = pod.deepCopy();
        copy.withObjectProperty("spec").putObject("securityContext").putObject("seccompProfile").put("type", "RuntimeDefault");
        return copy;
    }

    private static ObjectNode withServiceAccount(ObjectNode pod, String account) {
        pod.withObjectProperty("spec").put("serviceAccountName", account);
        return pod;
    }

    private static ObjectNode configMap(String namespace, String name) {
        ObjectNode map = JSON.createObjectNode().put("apiVersion", "v1").put("kind", "ConfigMap");
        map.putObject("metadata").put("name", name).put("namespace", namespace);
        return map;
    }

    private static ObjectNode service(String namespace, String name, String app, String tier) {
        ObjectNode service = JSON.createObjectNode().put("apiVersion", "v1").put("kind", "Service");
        service.putObject("metadata").put("name", name).put("namespace", namespace);
        ObjectNode spec = service.putObject("spec");
        spec.putObject("selector").put("app", app).put("tier", tier);
        spec.putArray("ports").addObject().put("port", 80);
        return service;
    }

    private static ObjectNode constraint(String kind, String name) {
        ObjectNode constraint = JSON.createObjectNode().put("apiVersion", "constraints.gatekeeper.sh/v1beta1").put("kind", kind);
        constraint.putObject("metadata").put("name", name);
        constraint.putObject("spec").putObject("match").putArray("kinds").addObject()
                .<ObjectNode>set("apiGroups", JSON.createArrayNode().add(""))
                .set("kinds", JSON.createArrayNode().add("Pod"));
        return constraint;
    }

    static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(item -> out.add(item.stringValue()));
        return out;
    }

    private static Path copyDirectory(Path from, Path to) throws Exception {
        try (var files = Files.list(from)) {
            for (Path file : files.toList()) {
                Files.copy(file, to.resolve(file.getFileName().toString()));
            }
        }
        return to;
    }

    static void assertNoStackTrace(String body) {
        assertThat(body).doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("io.portcullis.");
    }
}
