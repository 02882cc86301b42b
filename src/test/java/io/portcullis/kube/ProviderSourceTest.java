package io.portcullis.kube;

import static io.portcullis.kube.MockCluster.await;
import static io.portcullis.kube.MockCluster.byPod;
import static io.portcullis.kube.MockCluster.create;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.portcullis.e2e.TestPki;
import io.portcullis.externaldata.ClientCertificate;
import io.portcullis.externaldata.Providers;
import io.portcullis.tls.Pem;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Providers from the cluster: a valid one goes into force and its status.byPod says so; an update Gatekeeper would
 * refuse keeps the previous version in force and puts Gatekeeper's error into status; a deletion removes it.
 */
@EnableKubernetesMockClient(crud = true)
class ProviderSourceTest {
    private static final String POD = "portcullis-0";
    private static final ResourceDefinitionContext PROVIDERS = KubeJson.context("externaldata.gatekeeper.sh", "v1beta1",
            "Provider", "providers", false);

    KubernetesClient client;
    private SharedIndexInformer<CustomResourceDefinition> establisher;
    private MockCluster.Replica replica;
    private final Providers providers = new Providers(ClientCertificate.none());

    @BeforeEach
    void cluster() {
        establisher = MockCluster.establishCrds(client);
        replica = MockCluster.replica(client, POD, providers);
        replica.source().start();
        await("ready", replica.readiness()::isReady);
    }

    @AfterEach
    void stop() {
        replica.close();
        establisher.stop();
    }

    @Test
    void aProviderGoesIntoForceAndAnInvalidUpdateKeepsThePreviousOneWithTheErrorInStatus() {
        String caBundle = Base64.getEncoder().encodeToString(
                Pem.encode(TestPki.newCa("provider-ca").caCertificate()).getBytes(StandardCharsets.US_ASCII));
        JsonNode created = create(client, PROVIDERS, """
                apiVersion: externaldata.gatekeeper.sh/v1beta1
                kind: Provider
                metadata:
                  name: checker
                spec:
                  url: https://checker.tools.svc:8090/validate
                  timeout: 3
                  caBundle: %s
                """.formatted(caBundle));

        await("the Provider in force", () -> providers.names().contains("checker"));
        await("its status", () -> entry("checker") != null);
        JsonNode entry = entry("checker");
        assertThat(entry.path("active").asBoolean()).isTrue();
        assertThat(entry.path("providerUID").asString()).isEqualTo(created.at("/metadata/uid").asString());
        assertThat(entry.path("operations")).isNotEmpty();
        assertThat(entry.has("lastCacheUpdateTime")).isTrue();
        assertThat(entry.has("lastTransitionTime")).isTrue();
        assertThat(entry.has("errors")).isFalse();

        client.genericKubernetesResources(PROVIDERS).withName("checker").patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"spec\": {\"url\": \"http://checker.tools.svc:8090/validate\"}}");

        await("the error in status", () -> entry("checker") != null && entry("checker").has("errors"));
        JsonNode refused = entry("checker");
        assertThat(refused.path("active").asBoolean(true)).isFalse();
        assertThat(refused.at("/errors/0/type").asString()).isEqualTo("UpsertCache");
        assertThat(refused.at("/errors/0/message").asString()).isEqualTo("only HTTPS scheme is supported for Providers");
        assertThat(refused.at("/errors/0/retryable").asBoolean()).isTrue();
        assertThat(providers.names()).as("the previous version stays").containsExactly("checker");
        assertThat(providers.inError()).isEqualTo(1);
        assertThat(replica.active().current().problems()).anyMatch(p -> p.contains("only HTTPS scheme"));

        client.genericKubernetesResources(PROVIDERS).withName("checker").delete();
        await("the Provider gone", () -> providers.names().isEmpty() && providers.inError() == 0);
    }

    private JsonNode entry(String name) {
        JsonNode provider = MockCluster.get(client, PROVIDERS, name);
        return provider == null ? null : byPod(provider, POD);
    }
}
