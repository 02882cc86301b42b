package io.portcullis.tls;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.portcullis.tls.SecretCertificateStore.PreviousCa;

/**
 * One certificate check of a replica in a cluster: the Secret is the truth, the webhook configurations trust
 * its CA, and this replica's cert-dir is a copy of it (the server's SSL bundle reloads changed files).
 *
 * <p>Each {@link #rotate} reads the Secret, keeps its certificates while they are fit, else renews them (the
 * {@link CertificateProvisioner} decides: a new serving certificate from the same CA, or a new CA), writes
 * the Secret only over the version it read, then patches the caBundle, then rewrites the local files. That
 * order means this replica never serves a certificate the API server does not trust yet. When another
 * replica wrote first, the check starts again from its result, so replicas never fight.
 *
 * <p><b>CA changes.</b> Other replicas keep serving the old certificate until their next check. So when the CA
 * is replaced, the old CA stays in the caBundle, beside the new one, until the old serving certificate
 * expires (or the old CA does, if that is sooner); the Secret records it as {@code ca-previous.crt}. Renewal
 * starts {@code renew-before} ahead of expiry, so the overlap is at most that long in the normal case.
 */
public final class SecretCertificateRotator {

    /** A few rounds absorb a race between replicas; more means something keeps rewriting the Secret. */
    static final int MAX_ATTEMPTS = 5;

    /**
     * What one check found and did.
     *
     * @param trusted    the CAs now in the caBundle: the current CA first, then a previous one during a change
     * @param webhooks   what happened to the webhook configurations
     */
    public record Outcome(CertificateProvisioner.Result result, List<X509Certificate> trusted,
            WebhookCaBundle.Result webhooks) {

        public CertificateSet certificates() {
            return result.certificates();
        }

        /** The base64 caBundle the webhook configurations get. */
        public String caBundle() {
            return SecretCertificateRotator.caBundle(trusted);
        }
    }

    private final SecretCertificateStore secret;
    private final WebhookCaBundle webhooks;
    private final PemDirectoryStore files;
    private final CertificateSpec spec;
    private final CertificateProvisioner provisioner;

    public SecretCertificateRotator(SecretCertificateStore secret, WebhookCaBundle webhooks, PemDirectoryStore files,
            CertificateSpec spec, CertificateProvisioner provisioner) {
        this.secret = secret;
        this.webhooks = webhooks;
        this.files = files;
        this.spec = spec;
        this.provisioner = provisioner;
    }

    /** The rotator for a replica in a cluster, configured by {@code portcullis.tls.*}. */
    public static SecretCertificateRotator of(KubernetesClient client,
            TlsProperties tls, String namespace) {
        return new SecretCertificateRotator(
                new SecretCertificateStore(client, namespace, tls.secretName()),
                new WebhookCaBundle(client, tls.validatingWebhookConfiguration(), tls.mutatingWebhookConfiguration()),
                new PemDirectoryStore(tls.certDir()),
                tls.spec(namespace),
                new CertificateProvisioner(new CertificateIssuer()));
    }

    /** Where the certificates are kept, for log lines. */
    public String describe() {
        return secret.describe();
    }

    /**
     * Checks and, where needed, renews the certificates, the caBundle and the local files.
     *
     * @throws IllegalStateException the Secret kept changing under us for {@value #MAX_ATTEMPTS} rounds
     * @throws io.fabric8.kubernetes.client.KubernetesClientException the API server refused or failed
     */
    public Outcome rotate(Instant now) {
        CertificateProvisioner.Result written = null; // what this check saved, should a later round reuse it
        CertificateConflictException last = null;
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            try {
                PemBundle stored = secret.load();
                Optional<PreviousCa> storedPrevious = secret.previousCa();
                CertificateProvisioner.Result result = provisioner.resolve(stored, spec, now);
                Optional<PreviousCa> previous = previousAfter(stored, storedPrevious, result, now);
                if (result.action() != CertificateProvisioner.Action.REUSED
                        || !samePrevious(previous, storedPrevious)) {
                    secret.save(result.certificates().toPem(), previous);
                    written = result;
                } else if (written != null
                        && written.certificates().certificate().equals(result.certificates().certificate())) {
                    result = written; // our own write, read back after a conflict on the webhooks: still renewed
                }
                return publish(result, previous);
            } catch (CertificateConflictException e) {
                last = e; // someone else wrote: read their result and check it
            }
        }
        throw new IllegalStateException("gave up after " + MAX_ATTEMPTS + " attempts: " + last.getMessage(), last);
    }

    /** Makes the webhook configurations trust the CAs, then this replica serve the certificates. */
    private Outcome publish(CertificateProvisioner.Result result, Optional<PreviousCa> previous) {
        List<X509Certificate> trusted = new ArrayList<>();
        trusted.add(result.certificates().ca());
        previous.ifPresent(p -> trusted.add(p.certificate()));
        WebhookCaBundle.Result patched = webhooks.apply(caBundle(trusted), secret::unchangedSinceLoad);
        // The CA key stays in the Secret: the server needs only the serving pair (and ca.crt for clients).
        PemBundle pem = result.certificates().toPem();
        files.save(new PemBundle(pem.caCertificate(), "", pem.certificate(), pem.key()));
        return new Outcome(result, List.copyOf(trusted), patched);
    }

    /**
     * The CA to keep trusting beside the current one. A new CA makes the replaced one previous while
     * certificates it signed may still be served; otherwise a stored previous CA stays until its time is up.
     */
    static Optional<PreviousCa> previousAfter(PemBundle stored, Optional<PreviousCa> storedPrevious,
            CertificateProvisioner.Result result, Instant now) {
        X509Certificate currentCa = result.certificates().ca();
        if (result.action() != CertificateProvisioner.Action.GENERATED) {
            return storedPrevious.filter(p -> now.isBefore(p.until()) && !p.certificate().equals(currentCa));
        }
        X509Certificate oldCa = readable(stored.caCertificate());
        X509Certificate oldServing = readable(stored.certificate());
        if (oldCa == null || oldServing == null || oldCa.equals(currentCa) || !signedBy(oldServing, oldCa)) {
            return Optional.empty(); // nothing the old CA signed is in the Secret, so nothing to keep trusting
        }
        Instant caEnd = oldCa.getNotAfter().toInstant();
        Instant servingEnd = oldServing.getNotAfter().toInstant();
        Instant until = servingEnd.isBefore(caEnd) ? servingEnd : caEnd;
        return now.isBefore(until) ? Optional.of(new PreviousCa(oldCa, until)) : Optional.empty();
    }

    /** The caBundle value: the PEM certificates concatenated, base64-encoded on one line. */
    public static String caBundle(List<X509Certificate> cas) {
        StringBuilder pem = new StringBuilder();
        cas.forEach(ca -> pem.append(Pem.encode(ca)));
        return Base64.getEncoder().encodeToString(pem.toString().getBytes(StandardCharsets.US_ASCII));
    }

    private static boolean samePrevious(Optional<PreviousCa> a, Optional<PreviousCa> b) {
        return a.map(PreviousCa::certificate).equals(b.map(PreviousCa::certificate))
                && a.map(PreviousCa::until).equals(b.map(PreviousCa::until));
    }

    private static X509Certificate readable(String pem) {
        if (pem.isBlank()) {
            return null;
        }
        try {
            return Pem.certificate(pem);
        } catch (GeneralSecurityException e) {
            return null;
        }
    }

    private static boolean signedBy(X509Certificate certificate, X509Certificate ca) {
        try {
            certificate.verify(ca.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
