package io.portcullis.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.externaldata.TestProvider;
import io.portcullis.tls.CertificateIssuer;
import io.portcullis.tls.CertificateSet;
import io.portcullis.tls.CertificateSpec;
import io.portcullis.tls.PemDirectoryStore;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * external_data through the whole standalone server: a ConstraintTemplate whose Rego asks a Provider about a
 * Pod's images (as Gatekeeper's documentation's example does), compiled by the real OPA compiler, the Provider
 * manifest read from the constraints directory, and a provider written as a plain HTTPS server that requires a
 * client certificate from Portcullis's CA. A Pod with a flagged image is denied with the provider's error; another
 * is allowed.
 */
class ExternalDataWebhookTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String TEMPLATE = """
            apiVersion: templates.gatekeeper.sh/v1
            kind: ConstraintTemplate
            metadata:
              name: k8sexternaldata
            spec:
              crd:
                spec:
                  names:
                    kind: K8sExternalData
              targets:
                - target: admission.k8s.gatekeeper.sh
                  rego: |
                    package k8sexternaldata

                    violation[{"msg": msg}] {
                      images := [img | img = input.review.object.spec.containers[_].image]
                      response := external_data({"provider": "image-checker", "keys": images})
                      err := response.errors[_]
                      msg := sprintf("image %v is refused: %v", [err[0], err[1]])
                    }

                    violation[{"msg": msg}] {
                      images := [img | img = input.review.object.spec.containers[_].image]
                      response := external_data({"provider": "image-checker", "keys": images})
                      count(response.system_error) > 0
                      msg := sprintf("image-checker failed (%v): %v", [response.status_code, response.system_error])
                    }
            """;
    private static final String CONSTRAINT = """
            apiVersion: constraints.gatekeeper.sh/v1beta1
            kind: K8sExternalData
            metadata:
              name: images-checked
            spec:
              match:
                kinds:
                  - apiGroups: [""]
                    kinds: ["Pod"]
            """;

    @TempDir
    static Path dir;
    static TestProvider provider;
    static TestServer server;
    static CertificateSet certificates;

    @BeforeAll
    static void start() throws Exception {
        // The webhook's certificates made before the server starts (it keeps fit ones), so the provider can require
        // client certificates of its CA from the first request.
        CertificateSpec spec = CertificateSpec.defaults("portcullis-system");
        CertificateIssuer issuer = new CertificateIssuer();
        CertificateIssuer.Issued ca = issuer.newCa(spec, Instant.now());
        CertificateIssuer.Issued serving = issuer.serving(ca.certificate(), ca.key(), spec, Instant.now());
        certificates = new CertificateSet(ca.certificate(), ca.key(), serving.certificate(), serving.key());
        new PemDirectoryStore(dir.resolve("certs")).save(certificates.toPem());
        provider = new TestProvider(ca.certificate());

        Path templates = Files.createDirectories(dir.resolve("templates"));
        Files.writeString(templates.resolve("k8sexternaldata.yaml"), TEMPLATE);
        Path constraints = Files.createDirectories(dir.resolve("constraints"));
        Files.writeString(constraints.resolve("images-checked.yaml"), CONSTRAINT);
        Files.writeString(constraints.resolve("provider.yaml"), provider.providerYaml("image-checker", 3));
        server = TestServer.startApplication(dir.resolve("certs"),
                "portcullis.templates=" + templates,
                "portcullis.constraints[0]=" + constraints,
                "portcullis.data[0]=" + dir.resolve("no-data"),
                "portcullis.mutations[0]=" + dir.resolve("no-mutations"));
        server.awaitReady(Duration.ofMinutes(5));
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        if (provider != null) {
            provider.close();
        }
    }

    @Test
    void aPodWithAFlaggedImageIsDeniedWithTheProvidersError() throws Exception {
        JsonNode response = admit(pod("bad", "nginx:1.27", "registry.example/flagged:1"));

        assertThat(response.path("allowed").booleanValue()).isFalse();
        assertThat(response.at("/status/code").asInt()).isEqualTo(403);
        assertThat(response.at("/status/message").asString()).isEqualTo(
                "[images-checked] image registry.example/flagged:1 is refused: registry.example/flagged:1 is flagged");
    }

    @Test
    void aPodWithoutFlaggedImagesIsAllowed() throws Exception {
        JsonNode response = admit(pod("good", "nginx:1.27-alpine"));

        assertThat(response.path("allowed").booleanValue()).isTrue();
    }

    @Test
    void theProviderGetsGatekeepersRequestOverMutualTls() throws Exception {
        admit(pod("checked", "example.com/app:2"));

        TestProvider.Seen seen = provider.seen().stream()
                .filter(s -> s.body().at("/request/keys").toString().contains("example.com/app:2"))
                .findFirst().orElseThrow();
        assertThat(seen.method()).isEqualTo("POST");
        assertThat(seen.contentType()).isEqualTo("application/json");
        assertThat(seen.body()).isEqualTo(JSON.readTree("""
                {"apiVersion":"externaldata.gatekeeper.sh/v1beta1","kind":"ProviderRequest",
                 "request":{"keys":["example.com/app:2"]}}"""));
        assertThat(seen.clientCertificates()).first().isEqualTo(certificates.certificate());
    }

    @Test
    void theSameKeyIsAskedOnceWithinTheCacheTtl() throws Exception {
        admit(pod("once-a", "example.com/cached:1"));
        admit(pod("once-b", "example.com/cached:1"));

        assertThat(provider.seen().stream()
                .filter(s -> s.body().at("/request/keys").toString().contains("example.com/cached:1")))
                .hasSize(1);
    }

    private static JsonNode admit(JsonNode pod) throws Exception {
        AdmissionReviews review = AdmissionReviews.create(pod);
        HttpResponse<String> http = server.post("/v1/admit", review.json());
        assertThat(http.statusCode()).as(http.body()).isEqualTo(200);
        return JSON.readTree(http.body()).path("response");
    }

    private static JsonNode pod(String name, String... images) {
        var pod = JSON.createObjectNode().put("apiVersion", "v1").put("kind", "Pod");
        pod.putObject("metadata").put("name", name).put("namespace", "default");
        var containers = pod.putObject("spec").putArray("containers");
        for (int i = 0; i < images.length; i++) {
            containers.addObject().put("name", "c" + i).put("image", images[i]);
        }
        return pod;
    }
}
