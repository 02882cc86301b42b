package io.portcullis.kube;

import static io.portcullis.kube.MockCluster.await;
import static io.portcullis.kube.MockCluster.create;
import static io.portcullis.kube.MockCluster.createPod;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.portcullis.constraint.Constraint;
import io.portcullis.constraint.Gvk;
import io.portcullis.webhook.ValidationHandler;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * data.inventory from the cluster: the kinds the Config and SyncSets name are replicated and removed as objects
 * and lists change, the Config's sync exclusions hold, and Namespaces are always there for namespaceSelector.
 */
@EnableKubernetesMockClient(crud = true)
class InventorySyncTest {
    private static final ResourceDefinitionContext FORBIDDEN_SERVICE = KubeJson.context(Constraint.GROUP, "v1beta1",
            "K8sForbiddenService", "k8sforbiddenservice", false);
    private static final ResourceDefinitionContext REQUIRED_LABELS = KubeJson.context(Constraint.GROUP, "v1beta1",
            "K8sRequiredLabels", "k8srequiredlabels", false);

    /** Referential: reads the Services of the request's namespace from data.inventory. */
    private static final String FORBIDDEN_SERVICE_TEMPLATE = """
            apiVersion: templates.gatekeeper.sh/v1
            kind: ConstraintTemplate
            metadata:
              name: k8sforbiddenservice
            spec:
              crd:
                spec:
                  names:
                    kind: K8sForbiddenService
              targets:
                - target: admission.k8s.gatekeeper.sh
                  rego: |
                    package k8sforbiddenservice
                    violation[{"msg": msg}] {
                      ns := input.review.namespace
                      svc := data.inventory.namespace[ns]["v1"]["Service"]["forbidden"]
                      msg := sprintf("namespace %v has Service %v", [ns, svc.metadata.name])
                    }
            """;

    private static final String FORBIDDEN_SERVICE_CONSTRAINT = """
            apiVersion: constraints.gatekeeper.sh/v1beta1
            kind: K8sForbiddenService
            metadata:
              name: no-pods-beside-forbidden
            spec:
              match:
                kinds:
                  - apiGroups: [""]
                    kinds: [Pod]
            """;

    private static final String POD = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: web
              namespace: NS
            spec:
              containers:
                - name: web
                  image: nginx:1.27
            """;

    KubernetesClient client;
    private SharedIndexInformer<CustomResourceDefinition> establisher;
    private MockCluster.Replica replica;

    @BeforeEach
    void cluster() {
        establisher = MockCluster.establishCrds(client);
        for (String ns : new String[] {"apps", "other", MockCluster.NAMESPACE}) {
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns)
                    .withLabels(Map.of("env", ns.equals("apps") ? "prod" : "dev")).endMetadata().build()).create();
        }
        service("apps", "forbidden");
        service("other", "fine");
    }

    @AfterEach
    void stop() {
        if (replica != null) {
            replica.close();
        }
        establisher.stop();
    }

    private void service(String namespace, String name) {
        client.services().inNamespace(namespace).resource(new ServiceBuilder().withNewMetadata().withName(name)
                .endMetadata().withNewSpec().addNewPort().withPort(80).endPort().endSpec().build()).create();
    }

    private void startWithForbiddenServiceConstraint() {
        replica = MockCluster.replica(client, "portcullis-0");
        replica.source().start();
        await("ready", replica.readiness()::isReady);
        create(client, TemplateController.TEMPLATES, FORBIDDEN_SERVICE_TEMPLATE);
        await("template", () -> replica.source().validator().template("K8sForbiddenService").isPresent());
        await("CRD", () -> MockCluster.get(client, CrdInstaller.CRDS, "k8sforbiddenservice.constraints.gatekeeper.sh") != null);
        create(client, FORBIDDEN_SERVICE, FORBIDDEN_SERVICE_CONSTRAINT);
        await("constraint", () -> replica.source().validator().constraints().size() == 1);
    }

    private boolean allowed(String namespace) {
        return new ValidationHandler(replica.active(), MockCluster.COMPILER, replica.properties())
                .handle(createPod(POD.replace("NS", namespace))).allowed();
    }

    @Test
    void configSyncOnlyFeedsAReferentialTemplate() {
        create(client, InventoryController.CONFIGS, """
                apiVersion: config.gatekeeper.sh/v1alpha1
                kind: Config
                metadata:
                  name: config
                  namespace: portcullis-system
                spec:
                  sync:
                    syncOnly:
                      - group: ""
                        version: v1
                        kind: Service
                """);
        startWithForbiddenServiceConstraint();
        assertThat(replica.source().syncedKinds()).containsExactly(new Gvk("", "v1", "Service"));

        assertThat(allowed("apps")).isFalse();
        assertThat(new ValidationHandler(replica.active(), MockCluster.COMPILER, replica.properties())
                .handle(createPod(POD.replace("NS", "apps"))).status().message())
                .isEqualTo("[no-pods-beside-forbidden] namespace apps has Service forbidden");
        assertThat(allowed("other")).isTrue();

        client.services().inNamespace("apps").withName("forbidden").delete();
        await("Service gone from the inventory", () -> allowed("apps"));
        service("other", "forbidden");
        await("Service added to the inventory", () -> !allowed("other"));

        client.genericKubernetesResources(InventoryController.CONFIGS).inNamespace(MockCluster.NAMESPACE)
                .withName("config").delete();
        await("inventory emptied with the Config", () -> allowed("other"));
        assertThat(replica.source().syncedKinds()).isEmpty();
    }

    @Test
    void syncSetsAddKindsAndTheConfigExcludesNamespacesFromSync() {
        create(client, InventoryController.CONFIGS, """
                apiVersion: config.gatekeeper.sh/v1alpha1
                kind: Config
                metadata:
                  name: config
                  namespace: portcullis-system
                spec:
                  match:
                    - processes: [sync]
                      excludedNamespaces: [oth*]
                """);
        startWithForbiddenServiceConstraint();
        assertThat(allowed("apps")).as("nothing synced yet").isTrue();

        create(client, InventoryController.SYNCSETS, """
                apiVersion: syncset.gatekeeper.sh/v1alpha1
                kind: SyncSet
                metadata:
                  name: services
                spec:
                  gvks:
                    - group: ""
                      version: v1
                      kind: Service
                """);
        await("SyncSet's kind synced", () -> !allowed("apps"));
        service("other", "forbidden");
        service("apps", "marker");
        // Events of one kind arrive in order: once the later Service is in, the earlier one was handled.
        await("later Service synced", () -> replica.source().validator().inventory().snapshot().data()
                .at("/inventory/namespace/apps/v1/Service/marker").isObject());
        assertThat(replica.source().validator().inventory().snapshot().data().at("/inventory/namespace/other").isMissingNode())
                .as("namespace excluded from sync").isTrue();
        assertThat(allowed("other")).isTrue();

        client.genericKubernetesResources(InventoryController.SYNCSETS).withName("services").delete();
        await("kind dropped with its SyncSet", () -> allowed("apps"));
    }

    @Test
    void namespacesAreAlwaysSyncedForNamespaceSelectors() {
        replica = MockCluster.replica(client, "portcullis-0");
        replica.source().start();
        await("ready", replica.readiness()::isReady);
        create(client, TemplateController.TEMPLATES, KubernetesPolicySourceTest.REQUIRED_LABELS_TEMPLATE);
        await("CRD", () -> MockCluster.get(client, CrdInstaller.CRDS, "k8srequiredlabels.constraints.gatekeeper.sh") != null);
        create(client, REQUIRED_LABELS, KubernetesPolicySourceTest.OWNER_CONSTRAINT.replace("""
                  match:
                """, """
                  match:
                    namespaceSelector:
                      matchLabels:
                        env: prod
                """));
        await("constraint", () -> replica.source().validator().constraints().size() == 1);

        assertThat(allowed("apps")).isFalse();
        assertThat(allowed("other")).isTrue();
        client.namespaces().withName("other").edit(n -> {
            n.getMetadata().getLabels().put("env", "prod");
            return n;
        });
        await("relabelled namespace selected", () -> !allowed("other"));
    }

    @Test
    void namespacesReachDataInventoryOnlyWhenSynced() {
        replica = MockCluster.replica(client, "portcullis-0");
        replica.source().start();
        await("ready", replica.readiness()::isReady);
        var inventory = replica.source().validator().inventory();
        await("namespaces known for matching", () -> inventory.namespace("apps") != null);
        assertThat(inventory.snapshot().data().path("inventory").path("cluster").path("v1").has("Namespace"))
                .as("Namespaces in data.inventory without a Config that syncs them").isFalse();

        create(client, InventoryController.CONFIGS, """
                apiVersion: config.gatekeeper.sh/v1alpha1
                kind: Config
                metadata:
                  name: config
                  namespace: portcullis-system
                spec:
                  sync:
                    syncOnly:
                      - group: ""
                        version: v1
                        kind: Namespace
                """);
        await("Namespaces synced once the Config asks", () -> inventory.snapshot().data()
                .path("inventory").path("cluster").path("v1").path("Namespace").has("apps"));

        client.genericKubernetesResources(InventoryController.CONFIGS).inNamespace(MockCluster.NAMESPACE)
                .withName("config").delete();
        await("Namespaces leave data.inventory with the Config", () -> !inventory.snapshot().data()
                .path("inventory").path("cluster").path("v1").has("Namespace"));
        assertThat(inventory.namespace("apps")).as("still known for matching").isNotNull();
    }
}
