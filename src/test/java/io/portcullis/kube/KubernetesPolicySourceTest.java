package io.portcullis.kube;

import static io.portcullis.kube.MockCluster.await;
import static io.portcullis.kube.MockCluster.byPod;
import static io.portcullis.kube.MockCluster.create;
import static io.portcullis.kube.MockCluster.createPod;
import static io.portcullis.kube.MockCluster.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.portcullis.admission.AdmissionResponse;
import io.portcullis.constraint.Constraint;
import io.portcullis.webhook.ValidationHandler;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Templates, constraints and their CRDs against fabric8's mock API server (CRUD mode): a template becomes a
 * constraint CRD and a compiled template, its constraints are enforced by the validating webhook's handler, status
 * is written as Gatekeeper writes it, and deleting the template takes all of it away.
 */
@EnableKubernetesMockClient(crud = true)
class KubernetesPolicySourceTest {
    private static final ResourceDefinitionContext REQUIRED_LABELS = KubeJson.context(Constraint.GROUP, "v1beta1",
            "K8sRequiredLabels", "k8srequiredlabels", false);

    static final String REQUIRED_LABELS_TEMPLATE = """
            apiVersion: templates.gatekeeper.sh/v1
            kind: ConstraintTemplate
            metadata:
              name: k8srequiredlabels
              labels:
                team: platform
            spec:
              crd:
                spec:
                  names:
                    kind: K8sRequiredLabels
                    shortNames: [rl]
                  validation:
                    openAPIV3Schema:
                      type: object
                      properties:
                        labels:
                          type: array
                          items:
                            type: string
              targets:
                - target: admission.k8s.gatekeeper.sh
                  rego: |
                    package k8srequiredlabels
                    violation[{"msg": msg}] {
                      provided := {l | input.review.object.metadata.labels[l]}
                      required := {l | l := input.parameters.labels[_]}
                      missing := required - provided
                      count(missing) > 0
                      msg := sprintf("you must provide labels: %v", [missing])
                    }
            """;

    static final String OWNER_CONSTRAINT = """
            apiVersion: constraints.gatekeeper.sh/v1beta1
            kind: K8sRequiredLabels
            metadata:
              name: pods-need-owner
            spec:
              match:
                kinds:
                  - apiGroups: [""]
                    kinds: [Pod]
              parameters:
                labels: [owner]
            """;

    static final String UNLABELLED_POD = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: web
              namespace: apps
            spec:
              containers:
                - name: web
                  image: nginx:1.27
            """;

    KubernetesClient client;
    private SharedIndexInformer<CustomResourceDefinition> establisher;
    private final List<MockCluster.Replica> replicas = new ArrayList<>();

    @BeforeEach
    void establishCrds() {
        establisher = MockCluster.establishCrds(client);
    }

    @AfterEach
    void stop() {
        replicas.forEach(MockCluster.Replica::close);
        establisher.stop();
    }

    private MockCluster.Replica start(String pod) {
        MockCluster.Replica replica = MockCluster.replica(client, pod);
        replicas.add(replica);
        replica.source().start();
        await(pod + " ready", replica.readiness()::isReady);
        return replica;
    }

    private AdmissionResponse admit(MockCluster.Replica replica, String podYaml) {
        return new ValidationHandler(replica.active(), MockCluster.COMPILER, replica.properties()).handle(createPod(podYaml));
    }

    @Test
    void installsGatekeepersCrdsFromTheJar() {
        start("portcullis-0");

        for (String name : List.of("constrainttemplates.templates.gatekeeper.sh", "configs.config.gatekeeper.sh",
                "syncsets.syncset.gatekeeper.sh", "assign.mutations.gatekeeper.sh",
                "profilebindings.security-profiles-operator.x-k8s.io")) {
            JsonNode crd = get(client, CrdInstaller.CRDS, name);
            assertThat(crd).as(name).isNotNull();
            assertThat(crd.at("/metadata/labels/app.kubernetes.io~1part-of").asString()).isEqualTo("portcullis");
        }
        JsonNode templates = get(client, CrdInstaller.CRDS, "constrainttemplates.templates.gatekeeper.sh");
        assertThat(fields(templates.at("/spec/versions"), "name")).containsExactly("v1", "v1beta1", "v1alpha1");
    }

    @Test
    void templateGeneratesTheConstraintCrdAndItsConstraintsAreEnforced() {
        MockCluster.Replica replica = start("portcullis-0");
        JsonNode template = create(client, TemplateController.TEMPLATES, REQUIRED_LABELS_TEMPLATE);

        await("constraint CRD", () -> get(client, CrdInstaller.CRDS, "k8srequiredlabels.constraints.gatekeeper.sh") != null);
        JsonNode crd = get(client, CrdInstaller.CRDS, "k8srequiredlabels.constraints.gatekeeper.sh");
        assertThat(crd.at("/spec/group").asString()).isEqualTo("constraints.gatekeeper.sh");
        assertThat(crd.at("/spec/scope").asString()).isEqualTo("Cluster");
        assertThat(crd.at("/spec/names/kind").asString()).isEqualTo("K8sRequiredLabels");
        assertThat(crd.at("/spec/names/plural").asString()).isEqualTo("k8srequiredlabels");
        assertThat(crd.at("/spec/names/listKind").asString()).isEqualTo("K8sRequiredLabelsList");
        assertThat(crd.at("/spec/names/shortNames/0").asString()).isEqualTo("rl");
        assertThat(crd.at("/spec/names/categories").toString()).isEqualTo("[\"constraint\",\"constraints\"]");
        assertThat(crd.at("/metadata/labels/gatekeeper.sh~1constraint").asString()).isEqualTo("yes");
        assertThat(crd.at("/metadata/labels/team").asString()).isEqualTo("platform");
        JsonNode owner = crd.at("/metadata/ownerReferences/0");
        assertThat(owner.path("kind").asString()).isEqualTo("ConstraintTemplate");
        assertThat(owner.path("uid").asString()).isEqualTo(KubeJson.uid(template));
        assertThat(owner.path("controller").asBoolean()).isTrue();
        JsonNode versions = crd.at("/spec/versions");
        assertThat(fields(versions, "name")).containsExactly("v1beta1", "v1alpha1");
        assertThat(versions.get(0).path("storage").asBoolean()).isTrue();
        assertThat(versions.get(1).path("storage").asBoolean()).isFalse();
        JsonNode schema = versions.get(0).at("/schema/openAPIV3Schema");
        assertThat(schema.at("/properties/spec/properties/parameters/properties/labels/items/type").asString())
                .isEqualTo("string");
        assertThat(schema.at("/properties/spec/properties/enforcementAction/default").asString()).isEqualTo("deny");
        assertThat(schema.at("/properties/spec/properties/match/properties/namespaces/items/pattern").asString())
                .isEqualTo("^\\*?[-:a-z0-9]*\\*?$");
        assertThat(schema.at("/properties/spec/properties/scopedEnforcementActions/type").asString()).isEqualTo("array");
        assertThat(schema.at("/properties/status/x-kubernetes-preserve-unknown-fields").asBoolean()).isTrue();
        assertThat(schema.at("/properties/metadata").toString())
                .isEqualTo("{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\",\"maxLength\":63}}}");
        assertThat(versions.get(0).at("/subresources/status").isObject()).isTrue();

        await("template status", () -> byPod(get(client, TemplateController.TEMPLATES, "k8srequiredlabels"), "portcullis-0") != null);
        JsonNode status = get(client, TemplateController.TEMPLATES, "k8srequiredlabels").path("status");
        assertThat(status.path("created").asBoolean()).isTrue();
        JsonNode entry = byPod(get(client, TemplateController.TEMPLATES, "k8srequiredlabels"), "portcullis-0");
        assertThat(entry.path("observedGeneration").asLong()).isEqualTo(1);
        assertThat(entry.path("templateUID").asString()).isEqualTo(KubeJson.uid(template));
        assertThat(entry.path("operations").toString()).isEqualTo("[\"mutation-webhook\",\"webhook\"]");
        assertThat(entry.has("errors")).isFalse();

        JsonNode constraint = create(client, REQUIRED_LABELS, OWNER_CONSTRAINT);
        await("constraint enforced", () -> {
            JsonNode e = byPod(get(client, REQUIRED_LABELS, "pods-need-owner"), "portcullis-0");
            return e != null && e.path("enforced").asBoolean();
        });
        JsonNode constraintEntry = byPod(get(client, REQUIRED_LABELS, "pods-need-owner"), "portcullis-0");
        assertThat(constraintEntry.path("constraintUID").asString()).isEqualTo(KubeJson.uid(constraint));
        assertThat(constraintEntry.path("observedGeneration").asLong()).isEqualTo(1);

        AdmissionResponse denied = admit(replica, UNLABELLED_POD);
        assertThat(denied.allowed()).isFalse();
        assertThat(denied.status().message()).isEqualTo("[pods-need-owner] you must provide labels: {\"owner\"}");
        AdmissionResponse allowed = admit(replica, UNLABELLED_POD.replace("namespace: apps",
                "namespace: apps\n  labels:\n    owner: alice"));
        assertThat(allowed.allowed()).isTrue();
    }

    @Test
    void aConstraintThatBreaksItsSchemaIsReportedAndNotEnforced() {
        MockCluster.Replica replica = start("portcullis-0");
        create(client, TemplateController.TEMPLATES, REQUIRED_LABELS_TEMPLATE);
        await("constraint watch", () -> replica.source().validator().template("K8sRequiredLabels").isPresent());
        // The mock does not validate against the CRD's schema; the API server would refuse this one, Portcullis
        // must not enforce it either.
        create(client, REQUIRED_LABELS, OWNER_CONSTRAINT.replace("labels: [owner]", "labels: owner"));

        await("constraint status", () -> byPod(get(client, REQUIRED_LABELS, "pods-need-owner"), "portcullis-0") != null);
        JsonNode entry = byPod(get(client, REQUIRED_LABELS, "pods-need-owner"), "portcullis-0");
        assertThat(entry.path("enforced").asBoolean()).isFalse();
        assertThat(entry.at("/errors/0/message").asString()).contains("spec.parameters.labels");
        assertThat(replica.active().current().problems()).anyMatch(p -> p.startsWith("K8sRequiredLabels pods-need-owner"));
        assertThat(admit(replica, UNLABELLED_POD).allowed()).isTrue();
    }

    @Test
    void templateWithBadRegoGetsAnErrorStatusAndNoCrd() {
        MockCluster.Replica replica = start("portcullis-0");
        create(client, TemplateController.TEMPLATES, REQUIRED_LABELS_TEMPLATE
                .replace("[missing])", "[missing]")
                .replace("k8srequiredlabels", "k8sbroken").replace("K8sRequiredLabels", "K8sBroken"));

        await("template status", () -> byPod(get(client, TemplateController.TEMPLATES, "k8sbroken"), "portcullis-0") != null);
        JsonNode template = get(client, TemplateController.TEMPLATES, "k8sbroken");
        JsonNode error = byPod(template, "portcullis-0").at("/errors/0");
        assertThat(error.path("code").asString()).isEqualTo("ingest_error");
        assertThat(error.path("message").asString()).startsWith("Could not ingest Rego: rego_parse_error");
        assertThat(error.path("location").asString()).matches("k8sbroken\\.rego:\\d+:\\d+");
        assertThat(template.at("/status/created").asBoolean()).isFalse();
        replica.source().settle();
        assertThat(get(client, CrdInstaller.CRDS, "k8sbroken.constraints.gatekeeper.sh")).isNull();
        assertThat(replica.source().validator().template("K8sBroken")).isEmpty();
        assertThat(replica.active().current().problems()).anyMatch(p -> p.startsWith("ConstraintTemplate k8sbroken: "));
    }

    @Test
    void deletingTheTemplateRemovesItsCrdAndEnforcement() {
        MockCluster.Replica replica = start("portcullis-0");
        create(client, TemplateController.TEMPLATES, REQUIRED_LABELS_TEMPLATE);
        await("constraint CRD", () -> get(client, CrdInstaller.CRDS, "k8srequiredlabels.constraints.gatekeeper.sh") != null);
        create(client, REQUIRED_LABELS, OWNER_CONSTRAINT);
        await("enforced", () -> !admit(replica, UNLABELLED_POD).allowed());

        client.genericKubernetesResources(TemplateController.TEMPLATES).withName("k8srequiredlabels").delete();

        await("CRD deleted", () -> get(client, CrdInstaller.CRDS, "k8srequiredlabels.constraints.gatekeeper.sh") == null);
        await("template unloaded", () -> replica.source().validator().template("K8sRequiredLabels").isEmpty());
        assertThat(replica.source().validator().constraints()).isEmpty();
        assertThat(admit(replica, UNLABELLED_POD).allowed()).isTrue();
    }

    @Test
    void aChangedTemplateIsCompiledAgainAndABrokenChangeKeepsThePreviousVersion() {
        MockCluster.Replica replica = start("portcullis-0");
        create(client, TemplateController.TEMPLATES, REQUIRED_LABELS_TEMPLATE);
        await("constraint CRD", () -> get(client, CrdInstaller.CRDS, "k8srequiredlabels.constraints.gatekeeper.sh") != null);
        create(client, REQUIRED_LABELS, OWNER_CONSTRAINT);
        await("enforced", () -> !admit(replica, UNLABELLED_POD).allowed());

        edit(REQUIRED_LABELS_TEMPLATE.replace("you must provide labels", "labels missing"));
        await("new message", () -> admit(replica, UNLABELLED_POD).status().message().contains("labels missing"));

        edit(REQUIRED_LABELS_TEMPLATE.replace("count(missing) > 0", "count(missing) >"));
        await("generation 3 reported", () -> {
            JsonNode e = byPod(get(client, TemplateController.TEMPLATES, "k8srequiredlabels"), "portcullis-0");
            return e != null && e.path("observedGeneration").asLong() == 3;
        });
        JsonNode template = get(client, TemplateController.TEMPLATES, "k8srequiredlabels");
        assertThat(byPod(template, "portcullis-0").at("/errors/0/code").asString()).isEqualTo("ingest_error");
        assertThat(template.at("/status/created").asBoolean()).as("created is sticky").isTrue();
        assertThat(admit(replica, UNLABELLED_POD).status().message()).contains("labels missing");
    }

    @Test
    void everyReplicaLoadsTheSameSetAndReportsItself() {
        create(client, TemplateController.TEMPLATES, REQUIRED_LABELS_TEMPLATE);
        MockCluster.Replica first = start("portcullis-0");
        await("constraint CRD", () -> get(client, CrdInstaller.CRDS, "k8srequiredlabels.constraints.gatekeeper.sh") != null);
        create(client, REQUIRED_LABELS, OWNER_CONSTRAINT);
        await("first enforces", () -> !admit(first, UNLABELLED_POD).allowed());

        MockCluster.Replica second = start("portcullis-1");

        // Ready means loaded: the template and constraint that existed at start are in force at once.
        assertThat(second.source().validator().constraints()).extracting(Constraint::name).containsExactly("pods-need-owner");
        assertThat(admit(second, UNLABELLED_POD).allowed()).isFalse();
        await("both replicas in status", () -> {
            JsonNode c = get(client, REQUIRED_LABELS, "pods-need-owner");
            return byPod(c, "portcullis-0") != null && byPod(c, "portcullis-1") != null;
        });
        await("template status of both", () -> {
            JsonNode t = get(client, TemplateController.TEMPLATES, "k8srequiredlabels");
            return byPod(t, "portcullis-0") != null && byPod(t, "portcullis-1") != null;
        });
        JsonNode status = get(client, TemplateController.TEMPLATES, "k8srequiredlabels").path("status");
        assertThat(fields(status.path("byPod"), "id")).containsExactly("portcullis-0", "portcullis-1");
        assertThat(status.path("created").asBoolean()).isTrue();
        assertThat(fields(get(client, REQUIRED_LABELS, "pods-need-owner").at("/status/byPod"), "id"))
                .containsExactly("portcullis-0", "portcullis-1");
    }

    /** The string field of each element of an array. */
    static List<String> fields(JsonNode array, String field) {
        List<String> out = new ArrayList<>();
        array.forEach(e -> out.add(e.path(field).asString()));
        return out;
    }

    @Test
    void aConstraintCrdDeletedByHandIsAppliedAgain() {
        MockCluster.Replica replica = start("portcullis-0");
        create(client, TemplateController.TEMPLATES, REQUIRED_LABELS_TEMPLATE);
        await("constraint CRD", () -> get(client, CrdInstaller.CRDS, "k8srequiredlabels.constraints.gatekeeper.sh") != null);
        String firstUid = KubeJson.uid(get(client, CrdInstaller.CRDS, "k8srequiredlabels.constraints.gatekeeper.sh"));

        client.genericKubernetesResources(CrdInstaller.CRDS).withName("k8srequiredlabels.constraints.gatekeeper.sh").delete();

        await("CRD re-created", () -> {
            JsonNode crd = get(client, CrdInstaller.CRDS, "k8srequiredlabels.constraints.gatekeeper.sh");
            return crd != null && !KubeJson.uid(crd).equals(firstUid);
        });
        create(client, REQUIRED_LABELS, OWNER_CONSTRAINT);
        await("enforced again", () -> !admit(replica, UNLABELLED_POD).allowed());
    }

    @Test
    void entriesOfPodsThatAreGoneAreDropped() {
        for (String pod : List.of("portcullis-0", "portcullis-1")) {
            client.pods().inNamespace(MockCluster.NAMESPACE).resource(new io.fabric8.kubernetes.api.model.PodBuilder()
                    .withNewMetadata().withName(pod).endMetadata().withNewSpec().addNewContainer().withName("p")
                    .withImage("portcullis").endContainer().endSpec().build()).create();
        }
        create(client, TemplateController.TEMPLATES, REQUIRED_LABELS_TEMPLATE);
        // What a replica of an earlier rollout left behind, beside a live replica's entry.
        MockCluster.setStatus(client, TemplateController.TEMPLATES, null, "k8srequiredlabels", """
                {"created": true, "byPod": [{"id": "portcullis-1", "observedGeneration": 1},
                                            {"id": "portcullis-old", "observedGeneration": 1}]}""");

        start("portcullis-0");

        await("own entry", () -> byPod(get(client, TemplateController.TEMPLATES, "k8srequiredlabels"), "portcullis-0") != null);
        assertThat(fields(get(client, TemplateController.TEMPLATES, "k8srequiredlabels").at("/status/byPod"), "id"))
                .containsExactly("portcullis-0", "portcullis-1");
    }

    private void edit(String templateYaml) {
        KubeJson json = new KubeJson(client);
        var current = client.genericKubernetesResources(TemplateController.TEMPLATES).withName("k8srequiredlabels").get();
        var changed = json.resource(MockCluster.yaml(templateYaml));
        changed.getMetadata().setResourceVersion(current.getMetadata().getResourceVersion());
        client.genericKubernetesResources(TemplateController.TEMPLATES).resource(changed).update();
    }
}
