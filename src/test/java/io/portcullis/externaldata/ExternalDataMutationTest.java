package io.portcullis.externaldata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portcullis.mutation.AdmissionMutator;
import io.portcullis.mutation.MutationConfig;
import io.portcullis.mutation.error.MutationException;
import io.portcullis.mutation.MutationRequest;
import io.portcullis.mutation.MutationResult;
import io.portcullis.mutation.YamlDocuments;
import io.portcullis.mutation.gatekeeper.Mutators;
import io.portcullis.mutation.profiles.ProfileBinder;
import io.portcullis.tls.CertificateIssuer;
import io.portcullis.tls.CertificateSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * External data in Assign (Gatekeeper's mutation external data, §7.3) against a real HTTPS provider: the value at
 * the location is replaced by the provider's answer after the passes converge, one request per provider, and a
 * failure follows the mutator's failurePolicy with Gatekeeper's messages.
 */
class ExternalDataMutationTest {
    private static final String POD = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: web
              namespace: prod
            spec:
              containers:
              - name: app
                image: nginx:1.27
              - name: sidecar
                image: registry.example/flagged:1
            """;

    static TestProvider provider;
    static AdmissionMutator mutator;

    @BeforeAll
    static void start() throws Exception {
        CertificateIssuer issuer = new CertificateIssuer();
        CertificateSpec spec = CertificateSpec.defaults("portcullis-system");
        CertificateIssuer.Issued ca = issuer.newCa(spec, Instant.now());
        CertificateIssuer.Issued webhook = issuer.serving(ca.certificate(), ca.key(), spec, Instant.now());
        provider = new TestProvider(ca.certificate());
        Providers providers = new Providers(ClientCertificate.of(webhook.certificate(), webhook.key()));
        providers.upsert(Provider.parse(yaml(provider.providerYaml("images", 3))));
        mutator = new AdmissionMutator(new ProfileBinder(),
                new ExternalDataClient(providers, new ResponseCache(Duration.ZERO, InstantSource.system())));
    }

    @AfterAll
    static void stop() {
        if (provider != null) {
            provider.close();
        }
    }

    @Test
    void theProvidersAnswerReplacesTheValueInOneRequest() throws Exception {
        MutationResult result = mutate(assign("app-image", "spec.containers[name: app].image", "provider: images"));

        assertThat(result.object().at("/spec/containers/0/image").asString()).isEqualTo("nginx:1.27_valid");
        assertThat(result.object().at("/spec/containers/1/image").asString()).isEqualTo("registry.example/flagged:1");
        assertThat(provider.seen().stream().filter(s -> s.body().at("/request/keys").toString().equals("[\"nginx:1.27\"]")))
                .isNotEmpty();
    }

    @Test
    void anErrorForTheKeyFailsTheRequestUnderFailurePolicyFail() {
        assertThatThrownBy(() -> mutate(assign("sidecar-image", "spec.containers[name: sidecar].image",
                "provider: images")))
                .isInstanceOf(MutationException.class)
                .hasMessageContaining("failed to retrieve external data item from provider images: "
                        + "registry.example/flagged:1 is flagged");
    }

    @Test
    void ignoreKeepsTheValueAndUseDefaultWritesTheDefault() throws Exception {
        MutationResult ignored = mutate(assign("sidecar-image", "spec.containers[name: sidecar].image",
                "provider: images\nfailurePolicy: Ignore"));
        MutationResult defaulted = mutate(assign("sidecar-image", "spec.containers[name: sidecar].image",
                "provider: images\nfailurePolicy: UseDefault\ndefault: registry.example/safe:1"));

        assertThat(ignored.object().at("/spec/containers/1/image").asString()).isEqualTo("registry.example/flagged:1");
        assertThat(defaulted.object().at("/spec/containers/1/image").asString()).isEqualTo("registry.example/safe:1");
    }

    @Test
    void anUnknownProviderFailsWithGatekeepersMessage() {
        assertThatThrownBy(() -> mutate(assign("app-image", "spec.containers[name: app].image", "provider: nobody")))
                .hasMessageContaining("failed to find external data provider nobody in responses");
    }

    @Test
    void theUsernameCanBeTheKey() throws Exception {
        MutationResult result = mutate(assign("owner", "spec.owner",
                "provider: images\ndataSource: Username"));

        assertThat(result.object().at("/spec/owner").asString()).isEqualTo("alice_valid");
    }

    @Test
    void gatekeepersChecksOfTheMutator() {
        assertThatThrownBy(() -> Mutators.parse(yaml(assign("d", "spec.containers[name: app].image",
                "provider: images\nfailurePolicy: UseDefault"))))
                .hasMessageContaining("`default` must not be empty when `failurePolicy` is set to `UseDefault`");
        assertThatThrownBy(() -> Mutators.parse(yaml(assign("l", "spec.containers[name: app]", "provider: images"))))
                .hasMessageContaining("cannot assign external data response to a list");
    }

    private static MutationResult mutate(String assign) throws MutationException {
        MutationConfig config = MutationConfig.of(List.of(), List.of(), List.of(Mutators.parse(yaml(assign))));
        return mutator.mutate(new MutationRequest("CREATE", "prod", null, yaml(POD), "alice"), config);
    }

    private static String assign(String name, String location, String externalData) {
        return """
                apiVersion: mutations.gatekeeper.sh/v1
                kind: Assign
                metadata:
                  name: %s
                spec:
                  applyTo:
                  - groups: [""]
                    kinds: ["Pod"]
                    versions: ["v1"]
                  location: "%s"
                  parameters:
                    assign:
                      externalData:
                %s
                """.formatted(name, location, externalData.indent(8));
    }

    private static ObjectNode yaml(String text) {
        List<JsonNode> docs = YamlDocuments.read(text, "test");
        return (ObjectNode) docs.getFirst();
    }
}
