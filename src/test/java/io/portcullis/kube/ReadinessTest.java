package io.portcullis.kube;

import static io.portcullis.kube.MockCluster.await;
import static io.portcullis.kube.MockCluster.create;
import static io.portcullis.kube.MockCluster.createPod;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.portcullis.constraint.Constraint;
import io.portcullis.policy.ActivePolicies;
import io.portcullis.webhook.ValidationHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Readiness: a replica is ready only once everything that existed when it started is loaded. Templates, their
 * constraints (which need the constraint CRD to be Established) and the synced inventory; a template that does not
 * compile does not hold readiness back.
 */
@EnableKubernetesMockClient(crud = true)
class ReadinessTest {
    private static final ResourceDefinitionContext REQUIRED_LABELS = KubeJson.context(Constraint.GROUP, "v1beta1",
            "K8sRequiredLabels", "k8srequiredlabels", false);

    KubernetesClient client;
    private SharedIndexInformer<CustomResourceDefinition> establisher;
    private MockCluster.Replica first;
    private MockCluster.Replica second;

    @AfterEach
    void stop() {
        for (MockCluster.Replica replica : new MockCluster.Replica[] {first, second}) {
            if (replica != null) {
                replica.close();
            }
        }
        if (establisher != null) {
            establisher.stop();
        }
    }

    @Test
    void readyOnlyOnceWhatExistedAtStartIsLoaded() {
        // A first replica installs the CRDs (Established by the stand-in controller) and creates the kinds.
        establisher = MockCluster.establishCrds(client);
        first = MockCluster.replica(client, "portcullis-0");
        first.source().start();
        await("first ready", first.readiness()::isReady);
        create(client, InventoryController.CONFIGS, """
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
        client.services().inNamespace("apps").resource(new ServiceBuilder().withNewMetadata().withName("web")
                .endMetadata().withNewSpec().addNewPort().withPort(80).endPort().endSpec().build()).create();
        create(client, TemplateController.TEMPLATES, KubernetesPolicySourceTest.REQUIRED_LABELS_TEMPLATE
                .replace("[missing])", "[missing]").replace("k8srequiredlabels", "k8sbroken")
                .replace("K8sRequiredLabels", "K8sBroken"));
        // From here on no CRD becomes Established by itself.
        establisher.stop();
        establisher = null;
        create(client, TemplateController.TEMPLATES, KubernetesPolicySourceTest.REQUIRED_LABELS_TEMPLATE);
        await("constraint CRD applied", () -> MockCluster.get(client, CrdInstaller.CRDS,
                "k8srequiredlabels.constraints.gatekeeper.sh") != null);
        create(client, REQUIRED_LABELS, KubernetesPolicySourceTest.OWNER_CONSTRAINT);

        second = MockCluster.replica(client, "portcullis-1");
        assertThat(second.readiness().isReady()).isFalse();
        second.source().start();
        await("second compiled the template", () -> second.source().validator().template("K8sRequiredLabels").isPresent());
        second.source().settle();
        assertThat(second.readiness().isReady()).as("constraints of K8sRequiredLabels are not loaded yet").isFalse();
        // What is loaded so far is published, but not in force: the webhooks refuse (503) rather than decide with it.
        assertThat(second.active().current().validator().template("K8sRequiredLabels")).isPresent();
        assertThat(second.active().notInForce()).contains(ActivePolicies.NOT_LOADED);

        // The apiextensions controller catches up: the CRD is Established, the constraints load, ready.
        SharedIndexInformer<CustomResourceDefinition> late = MockCluster.establishCrds(client);
        try {
            await("second ready", second.readiness()::isReady);
        } finally {
            late.stop();
        }
        // Ready means loaded: all of it is in force the moment readiness flips.
        assertThat(second.active().notInForce()).isEmpty();
        assertThat(second.source().validator().constraints()).extracting(Constraint::name)
                .containsExactly("pods-need-owner");
        assertThat(second.source().validator().inventory().snapshot().data()
                .at("/inventory/namespace/apps/v1/Service/web").isObject()).isTrue();
        assertThat(second.active().current().problems()).anyMatch(p -> p.startsWith("ConstraintTemplate k8sbroken: "));
        assertThat(new ValidationHandler(second.active(), MockCluster.COMPILER, second.properties())
                .handle(createPod(KubernetesPolicySourceTest.UNLABELLED_POD)).allowed()).isFalse();
    }
}
