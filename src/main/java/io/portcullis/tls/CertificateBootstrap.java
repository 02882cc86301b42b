package io.portcullis.tls;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.ApplicationListener;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Makes sure the certificate files exist and fit before the embedded server reads them: the server's SSL
 * bundle ({@code server.ssl.bundle}) points at {@code ${portcullis.tls.cert-dir}/tls.crt} and {@code tls.key}
 * and is loaded while the context starts, so this runs earlier, once the configuration is known.
 *
 * <p>Standalone it prints the CA (PEM and the base64 one-liner for a webhook configuration's {@code caBundle}).
 * In a cluster ({@code portcullis.source=kubernetes}) the files are a copy of the certificate Secret, and the
 * webhook configurations are patched to trust its CA; see {@link #provisionInCluster}. Does nothing when the
 * server has no SSL bundle (TLS terminated elsewhere).
 */
public final class CertificateBootstrap implements ApplicationListener<ApplicationEnvironmentPreparedEvent> {

    private static final Logger log = LoggerFactory.getLogger(CertificateBootstrap.class);

    /** The namespace when none is configured; matches {@code portcullis.namespace}'s default. */
    static final String DEFAULT_NAMESPACE = "portcullis-system";
    /** {@code portcullis.source} of a server in a cluster: policies from the API server, certificates in a Secret. */
    static final String KUBERNETES_SOURCE = "kubernetes";

    @Override
    public void onApplicationEvent(ApplicationEnvironmentPreparedEvent event) {
        ConfigurableEnvironment environment = event.getEnvironment();
        if (environment.getProperty("server.ssl.bundle", "").isBlank()) {
            log.info("server.ssl.bundle is not set: serving without TLS, no certificates needed");
            return;
        }
        Binder binder = Binder.get(environment);
        TlsProperties tls = binder.bindOrCreate("portcullis.tls", TlsProperties.class);
        String namespace = binder.bind("portcullis.namespace", String.class).orElse(DEFAULT_NAMESPACE);
        if (tls.generate() && KUBERNETES_SOURCE.equals(environment.getProperty("portcullis.source"))) {
            try (KubernetesClient client = clusterClient(binder)) {
                provisionInCluster(client, tls, namespace);
            }
            return;
        }
        PemDirectoryStore store = new PemDirectoryStore(tls.certDir());
        CertificateSet certificates = provision(store, tls, namespace);
        log.info("Webhook CA certificate ({}/{}, valid until {}); put the caBundle line into the webhook "
                        + "configurations' clientConfig.caBundle:\n{}caBundle: {}",
                store.describe(), PemBundle.CA_CERT, certificates.ca().getNotAfter().toInstant(),
                Pem.encode(certificates.ca()), caBundle(certificates));
    }

    /**
     * A client made as io.portcullis.kube makes the application's: {@code portcullis.kubernetes.kubeconfig} when
     * set, else fabric8's usual search (kubeconfig, then the pod's service account). The beans do not exist yet.
     */
    private static KubernetesClient clusterClient(Binder binder) {
        Config config = binder.bind("portcullis.kubernetes.kubeconfig", Path.class)
                .map(file -> Config.fromKubeconfig(file.toFile()))
                .orElseGet(() -> Config.autoConfigure(null));
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    /**
     * In a cluster the certificates live in a Secret shared by all replicas ({@link SecretCertificateRotator}):
     * read or create them, make the webhook configurations trust the CA, and copy them into cert-dir. A failure
     * stops the start, with the reason, rather than serving a certificate the API server would reject.
     */
    static SecretCertificateRotator.Outcome provisionInCluster(KubernetesClient client, TlsProperties tls,
            String namespace) {
        SecretCertificateRotator rotator = SecretCertificateRotator.of(client, tls, namespace);
        SecretCertificateRotator.Outcome outcome;
        try {
            outcome = rotator.rotate(Instant.now());
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot provision the webhook certificates in " + rotator.describe()
                    + ": " + e.getMessage(), e);
        }
        CertificateRotation.log(outcome);
        log.info("Serving the certificate from {}, copied to {} (valid until {})", rotator.describe(),
                tls.certDir(), outcome.certificates().certificate().getNotAfter().toInstant());
        return outcome;
    }

    static CertificateSet provision(CertificateStore store, TlsProperties tls, String namespace) {
        CertificateSpec spec = tls.spec(namespace);
        CertificateProvisioner provisioner = new CertificateProvisioner(new CertificateIssuer());
        if (!tls.generate()) {
            return provisioner.verify(store, spec, Instant.now());
        }
        CertificateProvisioner.Result result = provisioner.ensure(store, spec, Instant.now());
        switch (result.action()) {
            case REUSED -> log.info("Using the certificates in {}", store.describe());
            case REISSUED -> log.info("Issued a new serving certificate in {} ({}); the CA is unchanged",
                    store.describe(), result.reason());
            case GENERATED -> log.warn("Generated a new CA and serving certificate in {} ({}); webhook "
                    + "configurations need the new caBundle", store.describe(), result.reason());
        }
        return result.certificates();
    }

    /** The CA PEM, base64-encoded on one line, as a webhook configuration's caBundle wants it. */
    public static String caBundle(CertificateSet certificates) {
        return Base64.getEncoder().encodeToString(Pem.encode(certificates.ca()).getBytes(StandardCharsets.US_ASCII));
    }
}
