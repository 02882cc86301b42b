package io.portcullis.webhook;

import static io.portcullis.webhook.AdmissionReviews.JSON;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import io.portcullis.constraint.Manifests;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * ExpansionTemplates on the whole standalone server over HTTPS: a Deployment, Job or CronJob is also reviewed as the
 * Pod it would create (a CronJob through its Job), with the Gatekeeper mutators that match Generated objects applied
 * to that Pod; the Pod's violations come back on the parent as "[constraint] [Implied by TEMPLATE] msg", with the
 * template's enforcementAction when it sets one. The Pod-level constraint is the shipped seccomp one.
 */
class ExpansionWebhookTest {
    private static final Path PROJECT = GatekeeperLibrary.PROJECT;
    private static final String NO_PROFILE = "container \"app\" has no seccomp profile: seccompProfile is set "
            + "neither on the container nor on the pod, so it would run Unconfined; allowed types: Localhost, RuntimeDefault";

    @TempDir
    static Path dir;

    static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        Path constraints = Files.createDirectories(dir.resolve("constraints"));
        Files.copy(PROJECT.resolve("examples/constraints/k8srequiredseccompprofile.yaml"),
                constraints.resolve("seccomp.yaml"));
        Files.writeString(constraints.resolve("expansion.yaml"), """
                apiVersion: expansion.gatekeeper.sh/v1beta1
                kind: ExpansionTemplate
                metadata:
                  name: expand-deployments
                spec:
                  applyTo:
                    - groups: ["apps"]
                      kinds: ["Deployment"]
                      versions: ["v1"]
                  templateSource: "spec.template"
                  generatedGVK: {kind: Pod, group: "", version: v1}
                ---
                apiVersion: expansion.gatekeeper.sh/v1beta1
                kind: ExpansionTemplate
                metadata:
                  name: expand-cronjobs
                spec:
                  applyTo:
                    - groups: ["batch"]
                      kinds: ["CronJob"]
                      versions: ["v1"]
                  templateSource: "spec.jobTemplate"
                  generatedGVK: {kind: Job, group: batch, version: v1}
                ---
                apiVersion: expansion.gatekeeper.sh/v1beta1
                kind: ExpansionTemplate
                metadata:
                  name: expand-jobs
                spec:
                  applyTo:
                    - groups: ["batch"]
                      kinds: ["Job"]
                      versions: ["v1"]
                  templateSource: "spec.template"
                  generatedGVK: {kind: Pod, group: "", version: v1}
                  enforcementAction: warn
                """);
        Path mutations = Files.createDirectories(dir.resolve("mutations"));
        Files.writeString(mutations.resolve("generated-pods.yaml"), """
                apiVersion: mutations.gatekeeper.sh/v1
                kind: Assign
                metadata:
                  name: runtime-default-for-generated-pods
                spec:
                  applyTo:
                    - groups: [""]
                      kinds: ["Pod"]
                      versions: ["v1"]
                  match:
                    source: Generated
                    namespaces: ["mutated"]
                  location: "spec.securityContext.seccompProfile.type"
                  parameters:
                    assign:
                      value: RuntimeDefault
                """);
        server = TestServer.startApplication(dir.resolve("certs"),
                "portcullis.templates=" + PROJECT.resolve("constraint-templates"),
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
    void aDeploymentIsDeniedForWhatItsPodWouldViolate() throws Exception {
        JsonNode answer = answer(deployment("apps", null));
        assertThat(answer.path("allowed").asBoolean()).isFalse();
        assertThat(answer.at("/status/code").asInt()).isEqualTo(403);
        assertThat(answer.at("/status/message").asString())
                .isEqualTo("[pods-require-seccomp-profile] [Implied by expand-deployments] " + NO_PROFILE);

        assertThat(answer(deployment("apps", "RuntimeDefault")).path("allowed").asBoolean()).isTrue();
    }

    @Test
    void mutatorsMatchingGeneratedObjectsApplyToThePodBeforeItIsReviewed() throws Exception {
        JsonNode answer = answer(deployment("mutated", null));
        assertThat(answer.path("allowed").asBoolean()).as(answer.toString()).isTrue();
    }

    @Test
    void aCronJobExpandsThroughItsJobAndTheTemplatesActionOverridesTheConstraints() throws Exception {
        ObjectNode cronJob = yaml("""
                apiVersion: batch/v1
                kind: CronJob
                metadata: {name: nightly, namespace: apps}
                spec:
                  schedule: "0 1 * * *"
                  jobTemplate:
                    spec:
                      template:
                        spec:
                          restartPolicy: Never
                          containers: [{name: app, image: busybox}]
                """);
        JsonNode answer = answer(cronJob);
        assertThat(answer.path("allowed").asBoolean()).as(answer.toString()).isTrue();
        assertThat(answer.path("warnings").get(0).asString())
                .isEqualTo("[pods-require-seccomp-profile] [Implied by expand-jobs] " + NO_PROFILE);
        assertThat(answer.path("warnings").size()).isEqualTo(1);
    }

    @Test
    void anObjectWithoutTheSourceFieldIsAnErrorNotAnAllow() throws Exception {
        ObjectNode broken = deployment("apps", null);
        ((ObjectNode) broken.get("spec")).remove("template");
        JsonNode answer = answer(broken);
        assertThat(answer.path("allowed").asBoolean()).isFalse();
        assertThat(answer.at("/status/code").asInt()).isEqualTo(500);
        assertThat(answer.at("/status/message").asString()).isEqualTo(
                "unable to expand object: could not find source field \"spec.template\" in resource web");
    }

    private static JsonNode answer(ObjectNode object) throws Exception {
        String body = server.post("/v1/admit", AdmissionReviews.create(object).json()).body();
        return JSON.readTree(body).path("response");
    }

    private static ObjectNode deployment(String namespace, String seccomp) {
        ObjectNode deployment = yaml("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web, namespace: %s}
                spec:
                  selector: {matchLabels: {app: web}}
                  template:
                    metadata: {labels: {app: web}}
                    spec:
                      containers: [{name: app, image: nginx}]
                """.formatted(namespace));
        if (seccomp != null) {
            deployment.withObjectProperty("spec").withObjectProperty("template").withObjectProperty("spec")
                    .putObject("securityContext").putObject("seccompProfile").put("type", seccomp);
        }
        return deployment;
    }

    private static ObjectNode yaml(String text) {
        try {
            return Manifests.readObjects(text, "test").getFirst();
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }
}
