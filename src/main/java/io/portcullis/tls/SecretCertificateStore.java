package io.portcullis.tls;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;

/**
 * The webhook certificates in a Secret, shared by every replica: {@code ca.crt}, {@code ca.key},
 * {@code tls.crt}, {@code tls.key} as in Gatekeeper's {@code gatekeeper-webhook-server-cert}.
 *
 * <p>Writes are conditional on what was read: {@link #save} creates the Secret only if it is still absent and
 * updates it only over the resourceVersion of the last {@link #load}. When another replica got there first it
 * throws {@link CertificateConflictException}; the caller reads again and normally finds fit certificates to
 * reuse, so replicas starting or renewing together never overwrite each other's CA.
 *
 * <p>During a CA change the Secret also keeps the replaced CA ({@code ca-previous.crt}) and until when it must
 * stay trusted (annotation {@code portcullis.dev/previous-ca-until}); see {@link SecretCertificateRotator}.
 */
public final class SecretCertificateStore implements CertificateStore {

    /** Data key of the CA replaced by the last CA change, trusted in the caBundle until {@link #PREVIOUS_UNTIL}. */
    public static final String PREVIOUS_CA = "ca-previous.crt";
    public static final String PREVIOUS_UNTIL = "portcullis.dev/previous-ca-until";

    /** A replaced CA that webhook configurations keep trusting until the certificates it signed are gone. */
    public record PreviousCa(X509Certificate certificate, Instant until) {
    }

    private final KubernetesClient client;
    private final String namespace;
    private final String name;
    /** The Secret as last read; null when it did not exist. Writes go over its resourceVersion. */
    private Secret lastRead;

    public SecretCertificateStore(KubernetesClient client, String namespace, String name) {
        this.client = client;
        this.namespace = namespace;
        this.name = name;
    }

    @Override
    public synchronized PemBundle load() {
        lastRead = secret().get();
        return new PemBundle(text(PemBundle.CA_CERT), text(PemBundle.CA_KEY), text(PemBundle.CERT),
                text(PemBundle.KEY));
    }

    /** The previous CA as of the last {@link #load}; empty when there is none or it is unreadable. */
    public synchronized Optional<PreviousCa> previousCa() {
        String pem = text(PREVIOUS_CA);
        String until = lastRead == null ? null : lastRead.getMetadata().getAnnotations() == null ? null
                : lastRead.getMetadata().getAnnotations().get(PREVIOUS_UNTIL);
        if (pem.isBlank()) {
            return Optional.empty();
        }
        try {
            X509Certificate ca = Pem.certificate(pem);
            Instant end = ca.getNotAfter().toInstant();
            if (until != null) {
                Instant annotated = Instant.parse(until);
                end = annotated.isBefore(end) ? annotated : end;
            }
            return Optional.of(new PreviousCa(ca, end));
        } catch (GeneralSecurityException | DateTimeParseException e) {
            return Optional.empty(); // unreadable: nothing to keep trusting
        }
    }

    /** Writes the certificates and keeps the previous CA as last read. */
    @Override
    public void save(PemBundle bundle) {
        save(bundle, previousCa());
    }

    /**
     * Writes the certificates and the previous CA (empty removes it), over the version last read.
     *
     * @throws CertificateConflictException the Secret was created, changed or deleted since the last load
     */
    public synchronized void save(PemBundle bundle, Optional<PreviousCa> previous) {
        Map<String, String> data = lastRead == null || lastRead.getData() == null
                ? new LinkedHashMap<>() : new LinkedHashMap<>(lastRead.getData());
        put(data, PemBundle.CA_CERT, bundle.caCertificate());
        put(data, PemBundle.CA_KEY, bundle.caKey());
        put(data, PemBundle.CERT, bundle.certificate());
        put(data, PemBundle.KEY, bundle.key());
        put(data, PREVIOUS_CA, previous.map(p -> Pem.encode(p.certificate())).orElse(""));
        SecretBuilder builder = lastRead == null
                ? new SecretBuilder().withNewMetadata().withName(name).withNamespace(namespace)
                        .addToLabels("app.kubernetes.io/name", "portcullis")
                        .addToLabels("app.kubernetes.io/component", "webhook-certificates")
                        .endMetadata().withType("Opaque")
                : new SecretBuilder(lastRead);
        builder.withData(data);
        if (previous.isPresent()) {
            builder.editMetadata().addToAnnotations(PREVIOUS_UNTIL, previous.get().until().toString()).endMetadata();
        } else if (lastRead != null && lastRead.getMetadata().getAnnotations() != null) {
            builder.editMetadata().removeFromAnnotations(PREVIOUS_UNTIL).endMetadata();
        }
        Secret desired = builder.build();
        try {
            lastRead = lastRead == null
                    ? client.secrets().inNamespace(namespace).resource(desired).create()
                    : client.secrets().inNamespace(namespace).resource(desired).update();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409 || e.getCode() == 404) {
                throw new CertificateConflictException(describe() + " was changed by someone else since it was "
                        + "read (" + e.getStatus().getReason() + ")", e);
            }
            throw e;
        }
    }

    /** Whether the Secret is still at the version last read (or still absent): read again, just the version. */
    public synchronized boolean unchangedSinceLoad() {
        Secret now = secret().get();
        if (now == null || lastRead == null) {
            return now == lastRead;
        }
        return now.getMetadata().getResourceVersion().equals(lastRead.getMetadata().getResourceVersion());
    }

    @Override
    public String describe() {
        return "Secret " + namespace + "/" + name;
    }

    private Resource<Secret> secret() {
        return client.secrets().inNamespace(namespace).withName(name);
    }

    private String text(String key) {
        if (lastRead == null || lastRead.getData() == null || lastRead.getData().get(key) == null) {
            return "";
        }
        try {
            return new String(Base64.getMimeDecoder().decode(lastRead.getData().get(key)), StandardCharsets.US_ASCII);
        } catch (IllegalArgumentException e) {
            return ""; // not base64 (an API server never returns that): treated as missing, so replaced
        }
    }

    private static void put(Map<String, String> data, String key, String pem) {
        if (pem.isEmpty()) {
            data.remove(key);
        } else {
            data.put(key, Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.US_ASCII)));
        }
    }
}
