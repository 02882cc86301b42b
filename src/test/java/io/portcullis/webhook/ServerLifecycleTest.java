package io.portcullis.webhook;

import io.portcullis.policy.Readiness;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.portcullis.tls.CertificateIssuer;
import io.portcullis.tls.CertificateSet;
import io.portcullis.tls.CertificateSpec;
import io.portcullis.tls.Pem;
import io.portcullis.tls.PemBundle;
import io.portcullis.tls.PemDirectoryStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Certificates, certificate reload, probes and the allow-all fallback of a server without handlers. */
class ServerLifecycleTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    static Path certs;

    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(certs, List.of(), "portcullis.namespace=policy",
                "portcullis.tls.extra-sans[0]=webhook.example.com");
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    /** The certificate the server presents on a new connection. */
    private static X509Certificate servedCertificate() throws Exception {
        try (HttpClient client = server.client()) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(server.uri("/livez"))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            Certificate[] chain = response.sslSession().orElseThrow().getPeerCertificates();
            return (X509Certificate) chain[0];
        }
    }

    @Test
    void servesTheGeneratedCertificateWithEverySanChainedToTheCa() throws Exception {
        X509Certificate served = servedCertificate();
        X509Certificate onDisk = Pem.certificate(Files.readString(certs.resolve("tls.crt")));
        X509Certificate ca = Pem.certificate(Files.readString(certs.resolve("ca.crt")));

        assertThat(served).isEqualTo(onDisk);
        assertThat(served.getSubjectAlternativeNames().stream().map(san -> san.get(1).toString()))
                .contains("localhost", "portcullis", "portcullis.policy", "portcullis.policy.svc",
                        "portcullis.policy.svc.cluster.local", "127.0.0.1", "0:0:0:0:0:0:0:1",
                        "webhook.example.com");
        served.verify(ca.getPublicKey()); // throws unless the CA signed it
        assertThat(served.getIssuerX500Principal()).isEqualTo(ca.getSubjectX500Principal());
        assertThat(Files.getPosixFilePermissions(certs.resolve("tls.key")))
                .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                        java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
    }

    @Test
    void replacedCertificateFilesArePickedUpWithoutRestart() throws Exception {
        X509Certificate before = servedCertificate();
        PemDirectoryStore store = new PemDirectoryStore(certs);
        PemBundle pem = store.load();
        CertificateSpec spec = new CertificateSpec("policy", "portcullis", List.of("webhook.example.com", "rotated.example.com"),
                io.portcullis.tls.KeyAlgorithm.EC_P256, Duration.ofDays(3650), Duration.ofDays(30),
                Duration.ofDays(7));
        CertificateIssuer.Issued next = new CertificateIssuer().serving(Pem.certificate(pem.caCertificate()),
                Pem.privateKey(pem.caKey()), spec, Instant.now());
        store.save(new CertificateSet(Pem.certificate(pem.caCertificate()), Pem.privateKey(pem.caKey()),
                next.certificate(), next.key()).toPem());

        // The file watcher reloads after a quiet period; poll new connections, bounded.
        X509Certificate served = before;
        for (int i = 0; i < 150 && served.equals(before); i++) {
            Thread.sleep(200);
            served = servedCertificate();
        }
        assertThat(served).isEqualTo(next.certificate()).isNotEqualTo(before);
        assertThat(served.getSubjectAlternativeNames().stream().map(san -> san.get(1).toString()))
                .contains("rotated.example.com");
    }

    @Test
    void livenessIsUpAndReadinessFollowsTheReadinessMarks() throws Exception {
        Readiness readiness = server.context.getBean(Readiness.class);
        assertThat(server.get("/actuator/health/liveness").statusCode()).isEqualTo(200);
        assertThat(server.get("/livez").statusCode()).isEqualTo(200);

        HttpResponse<String> notReady = server.get("/actuator/health/readiness");
        assertThat(notReady.statusCode()).isEqualTo(503);
        JsonNode body = JSON.readTree(notReady.body());
        assertThat(body.path("status").stringValue()).isEqualTo("OUT_OF_SERVICE");
        assertThat(body.at("/components/policies/details/reason").stringValue())
                .isEqualTo("policies are not loaded yet");

        readiness.markReady();
        HttpResponse<String> ready = server.get("/actuator/health/readiness");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(ready.body()).path("status").stringValue()).isEqualTo("UP");
        assertThat(server.get("/readyz").statusCode()).isEqualTo(200);

        readiness.markNotReady("reloading templates");
        HttpResponse<String> again = server.get("/readyz");
        assertThat(again.statusCode()).isEqualTo(503);
        assertThat(JSON.readTree(again.body()).at("/components/policies/details/reason").stringValue())
                .isEqualTo("reloading templates");
        assertThat(server.get("/actuator/health/liveness").statusCode()).isEqualTo(200);

        readiness.markReady();
        assertThat(server.get("/readyz").statusCode()).isEqualTo(200);
    }

    @Test
    void withoutPoliciesInForceBothWebhooksAnswer503ThenWithoutHandlerBeansAllowEverything() throws Exception {
        for (String path : List.of("/v1/admit", "/v1/mutate")) {
            HttpResponse<String> refused = server.post(path,
                    WebhookServerTest.review("admission.k8s.io/v1", "u-" + path, WebhookServerTest.pod("deny")));
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
            JsonNode status = JSON.readTree(refused.body());
            assertThat(status.path("kind").stringValue()).isEqualTo("Status");
            assertThat(status.path("code").intValue()).isEqualTo(503);
            assertThat(status.path("reason").stringValue()).isEqualTo("ServiceUnavailable");
            assertThat(status.path("message").stringValue()).isEqualTo("policies are not loaded yet");
        }

        server.policiesInForce();
        for (String path : List.of("/v1/admit", "/v1/mutate")) {
            HttpResponse<String> response = server.post(path,
                    WebhookServerTest.review("admission.k8s.io/v1", "u-" + path, WebhookServerTest.pod("deny")));
            assertThat(response.statusCode()).isEqualTo(200);
            JsonNode out = JSON.readTree(response.body());
            assertThat(out.at("/response/allowed").booleanValue()).isTrue();
            assertThat(out.at("/response").has("patch")).isFalse();
        }
    }

    @Test
    void restartReusesTheCertificates() throws Exception {
        String ca = Files.readString(certs.resolve("ca.crt"));
        try (TestServer second = TestServer.start(certs, List.of(), "portcullis.namespace=policy",
                "portcullis.tls.extra-sans[0]=webhook.example.com")) {
            assertThat(second.get("/livez").statusCode()).isEqualTo(200);
        }
        assertThat(Files.readString(certs.resolve("ca.crt"))).isEqualTo(ca);
    }
}
