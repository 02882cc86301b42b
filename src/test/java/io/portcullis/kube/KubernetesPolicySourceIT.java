package io.portcullis.kube;

import static io.portcullis.kube.MockCluster.await;
import static io.portcullis.kube.MockCluster.byPod;
import static io.portcullis.kube.MockCluster.createPod;
import static io.portcullis.kube.MockCluster.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.portcullis.constraint.Constraint;
import io.portcullis.e2e.KubeControlPlane;
import io.portcullis.webhook.ValidationHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

/**
 * The cluster source against a real kube-apiserver (etcd and kube-apiserver from src/test/cluster; no controller
 * manager, so no garbage collector): server-side apply of our CRDs, the API server's own verdict on the generated
 * constraint CRDs (structural schema, Established), status patches with optimistic locking from two replicas,
 * version conversion of templates, the inventory, and deletion.
 */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KubernetesPolicySourceIT {
    private static final ResourceDefinitionContext REQUIRED_LABELS = KubeJson.context(Constraint.GROUP, "v1beta1",
            "K8sRequiredLabels", "k8srequiredlabels", false);

    private KubeControlPlane plane;
    private KubernetesClient client;
    private final List<MockCluster.Replica> replicas = new ArrayList<>();

    @BeforeAll
    void start() {
        plane = KubeControlPlane.start();
        client = plane.newClient();
        plane.createNamespace(MockCluster.NAMESPACE, Map.of());
        plane.createNamespace("apps", Map.of("env", "prod"));
    }

    @AfterAll
    void stop() {
        replicas.forEach(MockCluster.Replica::close);
        if (client != null) {
            client.close();
        }
        if (plane != null) {
            plane.close();
        }
    }

    private MockCluster.Replica replica(String pod) {
        MockCluster.Replica replica = MockCluster.replica(client, pod);
        replicas.add(replica);
        replica.source().start();
        await(pod + " ready", replica.readiness()::isReady);
        return replica;
    }

    private static boolean allowed(MockCluster.Replica replica, String podYaml) {
        return new ValidationHandler(replica.active(), MockCluster.COMPILER, replica.properties())
                .handle(createPod(podYaml)).allowed();
    }

    private void apply(String yaml) {
        plane.kubectlWithInput(yaml, "apply", "-f", "-").orThrow();
    }

    @Test
    @Order(1)
    void installsTheCrdsWithServerSideApply() {
        replica("portcullis-0");
        JsonNode templates = get(client, CrdInstaller.CRDS, "constrainttemplates.templates.gatekeeper.sh");
        assertThat(KubeJson.isEstablished(templates)).isTrue();
        assertThat(templates.at("/metadata/managedFields/0/manager").asString()).isEqualTo("portcullis");
        assertThat(templates.at("/metadata/managedFields/0/operation").asString()).isEqualTo("Apply");
        for (String name : List.of("configs.config.gatekeeper.sh", "syncsets.syncset.gatekeeper.sh",
                "assign.mutations.gatekeeper.sh", "seccompprofiles.security-profiles-operator.x-k8s.io")) {
            assertThat(KubeJson.isEstablished(get(client, CrdInstaller.CRDS, name))).as(name).isTrue();
        }
    }

    @Test
    @Order(2)
    void aTemplateAppliedWithKubectlIsEnforcedAndReported() {
        MockCluster.Replica replica = replicas.getFirst();
        // v1beta1, as much of the library is written: the API server converts and stores it as v1.
        apply(KubernetesPolicySourceTest.REQUIRED_LABELS_TEMPLATE.replace("templates.gatekeeper.sh/v1",
                "templates.gatekeeper.sh/v1beta1"));
        await("constraint CRD Established", () -> {
            JsonNode crd = get(client, CrdInstaller.CRDS, "k8srequiredlabels.constraints.gatekeeper.sh");
            return crd != null && KubeJson.isEstablished(crd);
        });
        apply(KubernetesPolicySourceTest.OWNER_CONSTRAINT);
        await("denied", () -> !allowed(replica, KubernetesPolicySourceTest.UNLABELLED_POD));
        await("constraint status", () -> {
            JsonNode entry = byPod(get(client, REQUIRED_LABELS, "pods-need-owner"), "portcullis-0");
            return entry != null && entry.path("enforced").asBoolean();
        });
        assertThat(plane.kubectl("get", "constraints", "-o", "name").orThrow())
                .contains("k8srequiredlabels.constraints.gatekeeper.sh/pods-need-owner");
        JsonNode template = get(client, TemplateController.TEMPLATES, "k8srequiredlabels");
        assertThat(template.at("/status/created").asBoolean()).isTrue();
        assertThat(template.at("/spec/crd/spec/validation/legacySchema").asBoolean()).as("v1beta1 default").isTrue();
    }

    @Test
    @Order(3)
    void aSecondReplicaLoadsTheSameAndBothReport() {
        MockCluster.Replica second = replica("portcullis-1");
        assertThat(allowed(second, KubernetesPolicySourceTest.UNLABELLED_POD)).isFalse();
        await("both in status", () -> {
            JsonNode c = get(client, REQUIRED_LABELS, "pods-need-owner");
            JsonNode t = get(client, TemplateController.TEMPLATES, "k8srequiredlabels");
            return byPod(c, "portcullis-0") != null && byPod(c, "portcullis-1") != null
                    && byPod(t, "portcullis-0") != null && byPod(t, "portcullis-1") != null;
        });
    }

    @Test
    @Order(4)
    void badRegoIsAnIngestErrorAndGetsNoCrd() {
        apply(KubernetesPolicySourceTest.REQUIRED_LABELS_TEMPLATE.replace("[missing])", "[missing]")
                .replace("k8srequiredlabels", "k8sbroken").replace("K8sRequiredLabels", "K8sBroken"));
        await("error status", () -> byPod(get(client, TemplateController.TEMPLATES, "k8sbroken"), "portcullis-0") != null);
        JsonNode entry = byPod(get(client, TemplateController.TEMPLATES, "k8sbroken"), "portcullis-0");
        assertThat(entry.at("/errors/0/code").asString()).isEqualTo("ingest_error");
        assertThat(get(client, CrdInstaller.CRDS, "k8sbroken.constraints.gatekeeper.sh")).isNull();
    }

    @Test
    @Order(5)
    void theInventoryFollowsTheConfig() {
        MockCluster.Replica replica = replicas.getFirst();
        client.services().inNamespace("apps").resource(new ServiceBuilder().withNewMetadata().withName("web")
                .endMetadata().withNewSpec().addNewPort().withPort(80).endPort().endSpec().build()).create();
        apply("""
                apiVersion: config.gatekeeper.sh/v1alpha1
                kind: Config
                metadata:
                  name: config
                  namespace: portcullis-system
                spec:
                  sync:
                    syncOnly:
                      - version: v1
                        kind: Service
                """);
        await("Service synced", () -> replica.source().validator().inventory().snapshot().data()
                .at("/inventory/namespace/apps/v1/Service/web").isObject());
    }

    @Test
    @Order(6)
    void deletingTheTemplateDeletesTheCrdAndStopsEnforcement() {
        MockCluster.Replica replica = replicas.getFirst();
        plane.kubectl("delete", "constrainttemplate", "k8srequiredlabels").orThrow();
        await("CRD gone", () -> get(client, CrdInstaller.CRDS, "k8srequiredlabels.constraints.gatekeeper.sh") == null);
        await("allowed", () -> allowed(replica, KubernetesPolicySourceTest.UNLABELLED_POD));
        assertThat(replicas.get(1).source().validator().templates()).isEmpty();
    }
}
