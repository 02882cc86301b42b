package io.portcullis.kube;

import static io.portcullis.kube.MockCluster.await;
import static io.portcullis.kube.MockCluster.byPod;
import static io.portcullis.kube.MockCluster.create;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * status.byPod of the kinds besides templates and constraints (mutators, ExpansionTemplates, the Config): each gets
 * this replica's entry with its UID, and what Gatekeeper would refuse gets its errors.
 */
@EnableKubernetesMockClient(crud = true)
class ByPodStatusTest {
    private static final String POD = "portcullis-0";
    private static final ResourceDefinitionContext ASSIGN = KubeJson.context("mutations.gatekeeper.sh", "v1", "Assign",
            "assign", false);
    /** The version the CRD stores, which the controller reads (the mock server does not convert between versions). */
    private static final ResourceDefinitionContext EXPANSION = KubeJson.context("expansion.gatekeeper.sh", "v1alpha1",
            "ExpansionTemplate", "expansiontemplate", false);

    KubernetesClient client;
    private SharedIndexInformer<CustomResourceDefinition> establisher;
    private MockCluster.Replica replica;

    @BeforeEach
    void cluster() {
        establisher = MockCluster.establishCrds(client);
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(MockCluster.NAMESPACE)
                .endMetadata().build()).create();
        replica = MockCluster.replica(client, POD);
        replica.source().start();
        await("ready", replica.readiness()::isReady);
    }

    @AfterEach
    void stop() {
        replica.close();
        establisher.stop();
    }

    private static String assign(String name, String location, String value) {
        return """
                apiVersion: mutations.gatekeeper.sh/v1
                kind: Assign
                metadata:
                  name: NAME
                spec:
                  applyTo:
                    - groups: [""]
                      kinds: [Pod]
                      versions: [v1]
                  match:
                    kinds:
                      - apiGroups: [""]
                        kinds: [Pod]
                  location: "LOCATION"
                  parameters:
                    assign:
                      value: VALUE
                """.replace("NAME", name).replace("LOCATION", location).replace("VALUE", value);
    }

    private JsonNode awaitEntry(ResourceDefinitionContext context, String namespace, String name) {
        JsonNode[] found = new JsonNode[1];
        await(context.getKind() + " " + name + " byPod", () -> {
            var operation = client.genericKubernetesResources(context);
            var resource = namespace == null ? operation.withName(name) : operation.inNamespace(namespace).withName(name);
            var object = resource.get();
            found[0] = object == null ? null : byPod(new KubeJson(client).tree(object, context), POD);
            return found[0] != null;
        });
        return found[0];
    }

    @Test
    void mutatorsSayWhetherTheyAreEnforcedAndWhyNot() {
        JsonNode fine = create(client, ASSIGN, assign("always-pull", "spec.containers[name:*].imagePullPolicy", "Always"));
        create(client, ASSIGN, assign("labels", "metadata.labels.team", "x"));
        create(client, ASSIGN, assign("as-object", "spec.containers[name: app].securityContext.capabilities.add", "[X]"));
        create(client, ASSIGN, assign("as-list", "spec.containers[name: app].securityContext.capabilities[name: x].value",
                "1"));

        JsonNode entry = awaitEntry(ASSIGN, null, "always-pull");
        assertThat(entry.path("mutatorUID").asString()).isEqualTo(KubeJson.uid(fine));
        assertThat(entry.path("enforced").asBoolean()).isTrue();
        assertThat(entry.path("observedGeneration").asLong()).isEqualTo(KubeJson.generation(fine));
        assertThat(entry.path("operations").valueStream().map(JsonNode::asString).toList())
                .containsExactly("mutation-webhook", "webhook");
        assertThat(entry.has("errors")).isFalse();

        JsonNode refused = awaitEntry(ASSIGN, null, "labels");
        assertThat(refused.path("enforced").asBoolean()).isFalse();
        assertThat(refused.at("/errors/0/message").asString()).isEqualTo("assign labels can't change metadata");
        assertThat(refused.at("/errors/0/type").isMissingNode()).isTrue();

        JsonNode conflicting = awaitEntry(ASSIGN, null, "as-list");
        assertThat(conflicting.path("enforced").asBoolean()).isFalse();
        assertThat(conflicting.at("/errors/0/type").asString()).isEqualTo("ErrConflictingSchema");
        assertThat(conflicting.at("/errors/0/message").asString())
                .isEqualTo("the following mutators have conflicting schemas: [Assign/as-list, Assign/as-object]");

        // Once the conflict is gone, the remaining mutator is enforced and its error goes.
        client.genericKubernetesResources(ASSIGN).withName("as-object").delete();
        await("as-list enforced", () -> byPod(MockCluster.get(client, ASSIGN, "as-list"), POD)
                .path("enforced").asBoolean(false));
        assertThat(byPod(MockCluster.get(client, ASSIGN, "as-list"), POD).has("errors")).isFalse();
    }

    @Test
    void expansionTemplatesGetTheirEntryAndTheirErrors() {
        JsonNode fine = create(client, EXPANSION, """
                apiVersion: expansion.gatekeeper.sh/v1alpha1
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
                """);
        create(client, EXPANSION, """
                apiVersion: expansion.gatekeeper.sh/v1alpha1
                kind: ExpansionTemplate
                metadata:
                  name: no-source
                spec:
                  applyTo:
                    - groups: ["apps"]
                      kinds: ["Deployment"]
                      versions: ["v1"]
                  generatedGVK: {kind: Pod, group: "", version: v1}
                """);

        JsonNode entry = awaitEntry(EXPANSION, null, "expand-deployments");
        assertThat(entry.path("templateUID").asString()).isEqualTo(KubeJson.uid(fine));
        assertThat(entry.path("observedGeneration").asLong()).isEqualTo(KubeJson.generation(fine));
        assertThat(entry.has("errors")).isFalse();

        JsonNode refused = awaitEntry(EXPANSION, null, "no-source");
        assertThat(refused.at("/errors/0/message").asString()).isEqualTo("ExpansionTemplate no-source has empty source field");
    }

    @Test
    void theConfigReportsKindsItCannotSync() {
        JsonNode config = create(client, InventoryController.CONFIGS, """
                apiVersion: config.gatekeeper.sh/v1alpha1
                kind: Config
                metadata:
                  name: config
                  namespace: portcullis-system
                spec:
                  sync:
                    syncOnly:
                      - {group: "", version: v1, kind: Namespace}
                      - {group: example.com, version: v1, kind: Missing}
                """);

        JsonNode entry = awaitEntry(InventoryController.CONFIGS, MockCluster.NAMESPACE, "config");
        assertThat(entry.path("configUID").asString()).isEqualTo(KubeJson.uid(config));
        assertThat(entry.path("observedGeneration").asLong()).isEqualTo(KubeJson.generation(config));
        assertThat(entry.at("/errors/0/message").asString()).isEqualTo(
                "error establishing watches: example.com/v1, Kind=Missing: no such resource in the cluster");

        // Without the kind that cannot be watched, the error goes.
        client.genericKubernetesResources(InventoryController.CONFIGS).inNamespace(MockCluster.NAMESPACE)
                .withName("config").edit(c -> {
                    c.setAdditionalProperty("spec", java.util.Map.of("sync", java.util.Map.of("syncOnly",
                            List.of(java.util.Map.of("group", "", "version", "v1", "kind", "Namespace")))));
                    return c;
                });
        await("Config error gone", () -> {
            JsonNode e = byPod(new KubeJson(client).tree(client.genericKubernetesResources(InventoryController.CONFIGS)
                    .inNamespace(MockCluster.NAMESPACE).withName("config").get(), InventoryController.CONFIGS), POD);
            return e != null && !e.has("errors");
        });
    }
}
