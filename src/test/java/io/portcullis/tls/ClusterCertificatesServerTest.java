package io.portcullis.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.portcullis.policy.ActivePolicies;
import io.portcullis.policy.EngineConfiguration;
import io.portcullis.webhook.AdmissionController;
import io.portcullis.webhook.PortcullisServer;
import io.portcullis.policy.Readiness;
import io.portcullis.webhook.WebhookConfiguration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * The server started as in a cluster ({@code portcullis.source=kubernetes}) against fabric8's mock API server:
 * the certificate Secret is made before the HTTPS server starts, the webhook configurations trust its CA, and a
 * certificate another replica renews in the Secret is served after the next check, without a restart.
 */
@EnableKubernetesMockClient(crud = true)
class ClusterCertificatesServerTest {

    private static final String NS = "portcullis-system";

    KubernetesClient client;

    @TempDir
    Path dir;

    private final Map<String, String> savedProperties = new HashMap<>();
    private ConfigurableApplicationContext context;

    /** The transport, actuator and the cluster certificate wiring; the API client is the mock's. */
    @EnableAutoConfiguration
    @Import({WebhookConfiguration.class, AdmissionController.class, Readiness.class, ActivePolicies.class,
            EngineConfiguration.class, ClusterCertificateConfiguration.class})
    static class InCluster {
        static KubernetesClient client;

        @Bean
        KubernetesClient kubernetesClient() {
            return client;
        }
    }

    @BeforeEach
    void pointTheBootstrapClientAtTheMock() {
        // CertificateBootstrap runs before any bean exists and makes its own client from the usual sources.
        setProperty("kubernetes.master", client.getMasterUrl().toString());
        setProperty("kubernetes.trust.certificates", "true");
        setProperty("kubernetes.auth.tryKubeConfig", "false");
        setProperty("kubernetes.auth.tryServiceAccount", "false");
        client.admissionRegistration().v1().validatingWebhookConfigurations().resource(
                new ValidatingWebhookConfigurationBuilder().withNewMetadata()
                        .withName(TlsProperties.DEFAULT_VALIDATING_WEBHOOK_CONFIGURATION).endMetadata()
                        .addNewWebhook().withName("validation.portcullis.dev").withNewClientConfig().withNewService()
                        .withNamespace(NS).withName("portcullis").withPath("/v1/admit").endService()
                        .endClientConfig().endWebhook().build()).create();
        client.admissionRegistration().v1().mutatingWebhookConfigurations().resource(
                new MutatingWebhookConfigurationBuilder().withNewMetadata()
                        .withName(TlsProperties.DEFAULT_MUTATING_WEBHOOK_CONFIGURATION).endMetadata()
                        .addNewWebhook().withName("mutation.portcullis.dev").withNewClientConfig().withNewService()
                        .withNamespace(NS).withName("portcullis").withPath("/v1/mutate").endService()
                        .endClientConfig().endWebhook().build()).create();
    }

    @AfterEach
    void stop() {
        if (context != null) {
            context.close();
        }
        savedProperties.forEach((key, value) -> {
            if (value == null) {
                System.clearProperty(key);
            } else {
                System.setProperty(key, value);
            }
        });
    }

    @Test
    void servesTheSecretsCertificateAndPicksUpARenewalWithoutRestart() throws Exception {
        InCluster.client = client;
        context = PortcullisServer.application(InCluster.class).run(
                "--server.port=0",
                "--portcullis.source=kubernetes",
                "--portcullis.namespace=" + NS,
                "--portcullis.tls.cert-dir=" + dir,
                "--spring.ssl.bundle.watch.file.quiet-period=100ms");
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();

        X509Certificate ca = Pem.certificate(secretText("ca.crt"));
        X509Certificate inSecret = Pem.certificate(secretText("tls.crt"));
        assertThat(served(port, ca)).isEqualTo(inSecret);
        String caBundle = SecretCertificateRotator.caBundle(List.of(ca));
        assertThat(client.admissionRegistration().v1().validatingWebhookConfigurations()
                .withName(TlsProperties.DEFAULT_VALIDATING_WEBHOOK_CONFIGURATION).get().getWebhooks().getFirst()
                .getClientConfig().getCaBundle()).isEqualTo(caBundle);
        assertThat(client.admissionRegistration().v1().mutatingWebhookConfigurations()
                .withName(TlsProperties.DEFAULT_MUTATING_WEBHOOK_CONFIGURATION).get().getWebhooks().getFirst()
                .getClientConfig().getCaBundle()).isEqualTo(caBundle);

        // Another replica, configured with one more SAN, reissues the serving certificate in the Secret.
        CertificateSpec wider = new CertificateSpec(NS, "portcullis", List.of("webhook.example.com"),
                KeyAlgorithm.EC_P256, CertificateSpec.DEFAULT_CA_VALIDITY, CertificateSpec.DEFAULT_SERVING_VALIDITY,
                CertificateSpec.DEFAULT_RENEW_BEFORE);
        SecretCertificateRotator other = new SecretCertificateRotator(new SecretCertificateStore(client, NS,
                TlsProperties.DEFAULT_SECRET_NAME), new WebhookCaBundle(client, "", ""),
                new PemDirectoryStore(dir.resolve("other")), wider, new CertificateProvisioner(new CertificateIssuer()));
        X509Certificate renewed = other.rotate(Instant.now()).certificates().certificate();
        assertThat(renewed).isNotEqualTo(inSecret);

        // This replica's next check copies it into cert-dir; the SSL bundle reloads it.
        context.getBean(CertificateRotation.class).checkNow();
        X509Certificate served = served(port, ca);
        for (int i = 0; i < 150 && !served.equals(renewed); i++) {
            Thread.sleep(200);
            served = served(port, ca);
        }
        assertThat(served).isEqualTo(renewed);
    }

    @Test
    void withoutKubernetesSourceThereIsNoRotation() {
        InCluster.client = client;
        context = PortcullisServer.application(InCluster.class).run(
                "--server.port=0", "--portcullis.tls.cert-dir=" + dir);
        assertThat(context.getBeanProvider(CertificateRotation.class).getIfAvailable()).isNull();
        assertThat(client.secrets().inNamespace(NS).withName(TlsProperties.DEFAULT_SECRET_NAME).get()).isNull();
        assertThat(dir.resolve("ca.key")).as("standalone keeps its CA key beside the certificates").exists();
    }

    private String secretText(String key) {
        String value = client.secrets().inNamespace(NS).withName(TlsProperties.DEFAULT_SECRET_NAME).get()
                .getData().get(key);
        return new String(Base64.getDecoder().decode(value), StandardCharsets.US_ASCII);
    }

    private void setProperty(String key, String value) {
        savedProperties.putIfAbsent(key, System.getProperty(key));
        System.setProperty(key, value);
    }

    /** The certificate the server presents on a new TLS connection that trusts only {@code ca}. */
    private static X509Certificate served(int port, X509Certificate ca) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), new SecureRandom());
        try (SSLSocket socket = (SSLSocket) ssl.getSocketFactory().createSocket("localhost", port)) {
            socket.startHandshake(); // fails unless the served certificate chains to ca
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        }
    }
}
