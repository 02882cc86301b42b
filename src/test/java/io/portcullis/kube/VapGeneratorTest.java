package io.portcullis.kube;

import static io.portcullis.kube.MockCluster.await;
import static io.portcullis.kube.MockCluster.byPod;
import static io.portcullis.kube.MockCluster.create;
import static io.portcullis.kube.MockCluster.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.APIResourceListBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.portcullis.constraint.Constraint;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The controllers generate Gatekeeper's ValidatingAdmissionPolicies against fabric8's mock API server (CRUD mode,
 * which serves the admissionregistration.k8s.io/v1 discovery document Kubernetes ≥ 1.30 serves): a policy per CEL
 * template and a binding per constraint, owned by them, status written as Gatekeeper writes it, both removed when
 * no longer wanted, and the API server's refusal reported in status.
 */
@EnableKubernetesMockClient(crud = true)
class VapGeneratorTest {
    private static final ResourceDefinitionContext PRIVILEGED = KubeJson.context(Constraint.GROUP, "v1beta1",
            "K8sPSPPrivilegedContainer", "k8spspprivilegedcontainer", false);
    private static final String POLICY = "gatekeeper-k8spspprivilegedcontainer";
    private static final String BINDING = "gatekeeper-k8spspprivilegedcontainer-no-privileged";
    private static final String POD = "portcullis-0";

    KubernetesClient client;
    KubernetesMockServer server;
    private SharedIndexInformer<CustomResourceDefinition> establisher;
    private final List<MockCluster.Replica> replicas = new ArrayList<>();

    @BeforeEach
    void cluster() {
        server.expect().get().withPath("/apis/admissionregistration.k8s.io/v1")
                .andReturn(200, new APIResourceListBuilder().withGroupVersion("admissionregistration.k8s.io/v1")
                        .addNewResource().withName("validatingadmissionpolicies").withKind("ValidatingAdmissionPolicy")
                        .withNamespaced(false).withVerbs("create", "delete", "get", "list", "patch", "update", "watch")
                        .endResource()
                        .addNewResource().withName("validatingadmissionpolicybindings")
                        .withKind("ValidatingAdmissionPolicyBinding").withNamespaced(false)
                        .withVerbs("create", "delete", "get", "list", "patch", "update", "watch").endResource()
                        .build())
                .always();
        establisher = MockCluster.establishCrds(client);
    }

    @AfterEach
    void stop() {
        replicas.forEach(MockCluster.Replica::close);
        establisher.stop();
    }

    private void start() {
        MockCluster.Replica replica = MockCluster.replica(client, POD);
        replicas.add(replica);
        replica.source().start();
        await("replica ready", replica.readiness()::isReady);
    }

    private static final String CONSTRAINT = """
            apiVersion: constraints.gatekeeper.sh/v1beta1
            kind: K8sPSPPrivilegedContainer
            metadata:
              name: no-privileged
            spec:
              enforcementAction: warn
              match:
                kinds:
                  - apiGroups: [""]
                    kinds: [Pod]
                namespaceSelector:
                  matchLabels: {env: prod}
            """;

    @Test
    void aCelTemplateGetsAPolicyAndEachConstraintABindingOwnedByThem() {
        start();
        JsonNode template = create(client, TemplateController.TEMPLATES, VapTransformTest.PRIVILEGED_TEMPLATE
                .replace("  uid: 6f1c0a52-0000-4000-8000-000000000001\n", ""));
        await("policy", () -> get(client, VapGenerator.POLICIES, POLICY) != null);
        JsonNode policy = get(client, VapGenerator.POLICIES, POLICY);
        assertThat(policy.at("/metadata/ownerReferences/0/uid").asString()).isEqualTo(KubeJson.uid(template));
        assertThat(policy.at("/spec/paramKind/kind").asString()).isEqualTo("K8sPSPPrivilegedContainer");
        await("template status: generated", () -> "generated".equals(templateEntry().at("/vapGenerationStatus/state")
                .asString()));
        assertThat(templateEntry().at("/vapGenerationStatus/observedGeneration").asLong())
                .isEqualTo(KubeJson.generation(template));
        assertThat(templateEntry().has("errors")).isFalse();

        await("constraint CRD", () -> get(client, CrdInstaller.CRDS, "k8spspprivilegedcontainer.constraints.gatekeeper.sh") != null);
        JsonNode constraint = create(client, PRIVILEGED, CONSTRAINT);
        await("binding", () -> get(client, VapGenerator.BINDINGS, BINDING) != null);
        JsonNode binding = get(client, VapGenerator.BINDINGS, BINDING);
        assertThat(binding.at("/metadata/ownerReferences/0/uid").asString()).isEqualTo(KubeJson.uid(constraint));
        assertThat(binding.at("/spec/policyName").asString()).isEqualTo(POLICY);
        assertThat(binding.at("/spec/paramRef/name").asString()).isEqualTo("no-privileged");
        assertThat(binding.at("/spec/validationActions").toString()).isEqualTo("[\"Warn\"]");
        assertThat(binding.at("/spec/matchResources/namespaceSelector/matchLabels/env").asString()).isEqualTo("prod");
        await("constraint status: vap.k8s.io generated", () -> "generated".equals(constraintEntry()
                .at("/enforcementPointsStatus/0/state").asString()));
        assertThat(constraintEntry().at("/enforcementPointsStatus/0/enforcementPoint").asString()).isEqualTo("vap.k8s.io");
        assertThat(constraintEntry().path("enforced").asBoolean()).isTrue();

        // generateVAP: false takes the policy away, and the bindings with it; the constraint says why.
        client.genericKubernetesResources(TemplateController.TEMPLATES).withName("k8spspprivilegedcontainer")
                .patch(PatchContext.of(PatchType.JSON), "[{\"op\":\"add\",\"path\":\"/spec/targets/0/code/0/source/generateVAP\","
                        + "\"value\":false}]");
        await("policy deleted", () -> get(client, VapGenerator.POLICIES, POLICY) == null);
        await("binding deleted", () -> get(client, VapGenerator.BINDINGS, BINDING) == null);
        await("constraint status: not generated", () -> constraintEntry().path("errors").toString().contains(
                "cannot generate ValidatingAdmissionPolicyBinding: " + VapGenerator.CONDITIONS_NOT_SATISFIED));
        assertThat(constraintEntry().path("enforced").asBoolean()).as("still enforced by the webhook").isTrue();
        await("template status: no VAP status", () -> !templateEntry().has("vapGenerationStatus"));

        // Back on: both return; deleting the constraint deletes its binding (the mock has no garbage collector).
        client.genericKubernetesResources(TemplateController.TEMPLATES).withName("k8spspprivilegedcontainer")
                .patch(PatchContext.of(PatchType.JSON), "[{\"op\":\"remove\",\"path\":\"/spec/targets/0/code/0/source/generateVAP\"}]");
        await("binding again", () -> get(client, VapGenerator.BINDINGS, BINDING) != null);
        client.genericKubernetesResources(PRIVILEGED).withName("no-privileged").delete();
        await("binding deleted with its constraint", () -> get(client, VapGenerator.BINDINGS, BINDING) == null);
        client.genericKubernetesResources(TemplateController.TEMPLATES).withName("k8spspprivilegedcontainer").delete();
        await("policy deleted with its template", () -> get(client, VapGenerator.POLICIES, POLICY) == null);
    }

    @Test
    void aRegoOnlyTemplatesConstraintsSayThereIsNoCelEngine() {
        start();
        create(client, TemplateController.TEMPLATES, KubernetesPolicySourceTest.REQUIRED_LABELS_TEMPLATE);
        await("constraint CRD", () -> get(client, CrdInstaller.CRDS, "k8srequiredlabels.constraints.gatekeeper.sh") != null);
        ResourceDefinitionContext labels = KubeJson.context(Constraint.GROUP, "v1beta1", "K8sRequiredLabels",
                "k8srequiredlabels", false);
        create(client, labels, KubernetesPolicySourceTest.OWNER_CONSTRAINT);
        await("constraint status", () -> {
            JsonNode entry = byPod(get(client, labels, "pods-need-owner"), POD);
            return entry != null && entry.has("enforcementPointsStatus");
        });
        JsonNode entry = byPod(get(client, labels, "pods-need-owner"), POD);
        assertThat(entry.at("/enforcementPointsStatus/0/enforcementPoint").asString()).isEqualTo("vap.k8s.io");
        assertThat(entry.at("/enforcementPointsStatus/0/state").asString()).isEqualTo("error");
        assertThat(entry.at("/enforcementPointsStatus/0/message").asString()).isEqualTo("K8sNativeValidation engine is missing");
        assertThat(get(client, VapGenerator.POLICIES, "gatekeeper-k8srequiredlabels")).isNull();
        assertThat(byPod(get(client, TemplateController.TEMPLATES, "k8srequiredlabels"), POD).has("vapGenerationStatus"))
                .isFalse();
    }

    @Test
    void theApiServersRefusalIsWrittenToTheTemplatesStatus() {
        server.expect().post().withPath("/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies")
                .andReturn(422, new StatusBuilder().withStatus("Failure").withCode(422).withReason("Invalid")
                        .withMessage("ValidatingAdmissionPolicy.admissionregistration.k8s.io \"" + POLICY
                                + "\" is invalid: spec.validations[0].expression: Invalid value: compilation failed")
                        .build())
                .always();
        start();
        create(client, TemplateController.TEMPLATES, VapTransformTest.PRIVILEGED_TEMPLATE
                .replace("  uid: 6f1c0a52-0000-4000-8000-000000000001\n", ""));
        await("template status: create_error", () -> templateEntry() != null && templateEntry().has("errors"));
        JsonNode error = templateEntry().at("/errors/0");
        assertThat(error.path("code").asString()).isEqualTo("create_error");
        assertThat(error.path("message").asString()).startsWith("Could not create VAP object: ")
                .contains("spec.validations[0].expression: Invalid value: compilation failed");
        assertThat(templateEntry().has("vapGenerationStatus")).isFalse();
    }

    private JsonNode templateEntry() {
        JsonNode template = get(client, TemplateController.TEMPLATES, "k8spspprivilegedcontainer");
        JsonNode entry = template == null ? null : byPod(template, POD);
        return entry == null ? KubeJson.JSON.createObjectNode() : entry;
    }

    private JsonNode constraintEntry() {
        JsonNode constraint = get(client, PRIVILEGED, "no-privileged");
        JsonNode entry = constraint == null ? null : byPod(constraint, POD);
        return entry == null ? KubeJson.JSON.createObjectNode() : entry;
    }
}
