package io.portcullis.kube;

import static io.portcullis.kube.MockCluster.await;
import static io.portcullis.kube.MockCluster.create;
import static io.portcullis.kube.MockCluster.createPod;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.portcullis.constraint.Constraint;
import io.portcullis.webhook.ValidationHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Controllers do not wait for each other: while the real OPA compiler spends seconds on one template, a constraint
 * of another kind and a Gatekeeper mutator, both created after that template, take effect.
 */
@EnableKubernetesMockClient(crud = true)
class SlowCompileTest {
    private static final ResourceDefinitionContext REQUIRED_LABELS = KubeJson.context(Constraint.GROUP, "v1beta1",
            "K8sRequiredLabels", "k8srequiredlabels", false);
    private static final ResourceDefinitionContext ASSIGN = KubeJson.context("mutations.gatekeeper.sh", "v1", "Assign",
            "assign", false);
    /** Rules in the slow template: the compiler takes seconds on them (wasm for each, then JVM bytecode). */
    private static final int SLOW_RULES = 3000;

    KubernetesClient client;
    private SharedIndexInformer<CustomResourceDefinition> establisher;
    private MockCluster.Replica replica;

    @BeforeEach
    void cluster() {
        establisher = MockCluster.establishCrds(client);
        replica = MockCluster.replica(client, "portcullis-0");
        replica.source().start();
        await("ready", replica.readiness()::isReady);
        create(client, TemplateController.TEMPLATES, KubernetesPolicySourceTest.REQUIRED_LABELS_TEMPLATE);
        await("K8sRequiredLabels compiled", () -> replica.source().validator().template("K8sRequiredLabels").isPresent());
    }

    @AfterEach
    void stop() {
        replica.close();
        establisher.stop();
    }

    @Test
    void aSlowCompileHoldsUpNeitherConstraintsOfOtherKindsNorMutators() throws Exception {
        long created = System.nanoTime();
        create(client, TemplateController.TEMPLATES, SlowTemplates.template("K8sSlow", SLOW_RULES));
        // Let the template's event reach its controller first: a single worker would now be compiling it.
        Thread.sleep(500);
        create(client, REQUIRED_LABELS, KubernetesPolicySourceTest.OWNER_CONSTRAINT);
        create(client, ASSIGN, """
                apiVersion: mutations.gatekeeper.sh/v1
                kind: Assign
                metadata:
                  name: always-pull
                spec:
                  applyTo:
                    - groups: [""]
                      kinds: [Pod]
                      versions: [v1]
                  location: "spec.containers[name:*].imagePullPolicy"
                  parameters:
                    assign:
                      value: Always
                """);

        await("the constraint of the other kind and the mutator in force", () -> {
            boolean constraint = replica.source().validator().constraints().stream()
                    .anyMatch(c -> c.name().equals("pods-need-owner"));
            boolean mutator = replica.active().current().mutation().mutators().mutators().size() == 1;
            return constraint && mutator;
        });
        long othersInForce = System.nanoTime();
        assertThat(replica.source().validator().template("K8sSlow"))
                .as("the slow template is still compiling when the others are in force")
                .isEmpty();
        var denied = new ValidationHandler(replica.active(), MockCluster.COMPILER, replica.properties())
                .handle(createPod(KubernetesPolicySourceTest.UNLABELLED_POD));
        assertThat(denied.allowed()).isFalse();
        assertThat(denied.status().message()).contains("[pods-need-owner]");

        await("the slow template compiled", () -> replica.source().validator().template("K8sSlow").isPresent());
        long slowDone = System.nanoTime();
        System.out.printf("slow template compiled %d ms after it was created; the others were in force after %d ms%n",
                (slowDone - created) / 1_000_000, (othersInForce - created) / 1_000_000);
    }
}
