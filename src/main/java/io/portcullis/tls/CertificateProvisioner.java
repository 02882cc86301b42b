package io.portcullis.tls;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Keeps a {@link CertificateStore} holding a CA and a serving certificate fit for a {@link CertificateSpec}.
 *
 * <p>Stored certificates are reused while they are valid for longer than the renewal window, chain to the CA,
 * match their keys and carry every required SAN. A serving certificate that fails a check is reissued by the
 * same CA when the CA key is at hand, so the caBundle pasted into webhook configurations stays valid; only a
 * missing, expiring or unreadable CA (or a missing CA key) makes a new CA.
 */
public final class CertificateProvisioner {

    public enum Action { REUSED, REISSUED, GENERATED }

    /** The certificates now in the store, what was done, and why. */
    public record Result(CertificateSet certificates, Action action, String reason) {
    }

    private final CertificateIssuer issuer;

    public CertificateProvisioner(CertificateIssuer issuer) {
        this.issuer = issuer;
    }

    /** Checks the store and, when needed, generates and saves new certificates. */
    public Result ensure(CertificateStore store, CertificateSpec spec, Instant now) {
        Result result = resolve(store.load(), spec, now);
        if (result.action() != Action.REUSED) {
            store.save(result.certificates().toPem());
        }
        return result;
    }

    /**
     * What a store holding {@code stored} should hold: the stored certificates when they are fit, else new
     * ones. Saves nothing, for stores that write conditionally (a Secret updated over the version read).
     */
    public Result resolve(PemBundle stored, CertificateSpec spec, Instant now) {
        Inspection found = inspect(stored, spec, now);
        if (found.usable() != null) {
            return new Result(found.usable(), Action.REUSED, "stored certificates are valid");
        }
        Result result;
        if (found.caProblem() == null && found.caKey() != null) {
            CertificateIssuer.Issued serving = issuer.serving(found.ca(), found.caKey(), spec, now);
            result = new Result(new CertificateSet(found.ca(), found.caKey(), serving.certificate(), serving.key()),
                    Action.REISSUED, found.servingProblem());
        } else {
            CertificateIssuer.Issued ca = issuer.newCa(spec, now);
            CertificateIssuer.Issued serving = issuer.serving(ca.certificate(), ca.key(), spec, now);
            String why = found.caProblem() != null ? found.caProblem()
                    : found.servingProblem() + ", and " + PemBundle.CA_KEY + " is not available to reissue it";
            result = new Result(new CertificateSet(ca.certificate(), ca.key(), serving.certificate(), serving.key()),
                    Action.GENERATED, why);
        }
        return result;
    }

    /**
     * Only checks: the stored certificates when they serve the spec, else an exception saying what is wrong.
     * For certificates this process must not replace (issued by cert-manager, a read-only mount).
     */
    public CertificateSet verify(CertificateStore store, CertificateSpec spec, Instant now) {
        Inspection found = inspect(store.load(), spec, now);
        if (found.usable() == null) {
            String problem = found.caProblem() != null ? found.caProblem() : found.servingProblem();
            throw new IllegalStateException("certificates in " + store.describe() + " cannot be used: " + problem);
        }
        return found.usable();
    }

    private record Inspection(X509Certificate ca, PrivateKey caKey, String caProblem, String servingProblem,
            CertificateSet usable) {
    }

    private Inspection inspect(PemBundle pem, CertificateSpec spec, Instant now) {
        if (pem.caCertificate().isBlank()) {
            return new Inspection(null, null, "no " + PemBundle.CA_CERT + " found", null, null);
        }
        X509Certificate ca;
        try {
            ca = Pem.certificate(pem.caCertificate());
        } catch (GeneralSecurityException e) {
            return new Inspection(null, null, PemBundle.CA_CERT + " is unreadable: " + e.getMessage(), null, null);
        }
        String caProblem = timeProblem(PemBundle.CA_CERT, ca, spec, now);
        if (caProblem == null && ca.getBasicConstraints() < 0) {
            caProblem = PemBundle.CA_CERT + " is not a CA certificate";
        }
        PrivateKey caKey = readMatchingKey(pem.caKey(), ca.getPublicKey());
        if (caProblem != null) {
            return new Inspection(ca, caKey, caProblem, null, null);
        }
        String servingProblem;
        PrivateKey key = null;
        X509Certificate certificate = null;
        try {
            certificate = pem.certificate().isBlank() ? null : Pem.certificate(pem.certificate());
            key = pem.key().isBlank() ? null : Pem.privateKey(pem.key());
            servingProblem = servingProblem(certificate, key, ca, spec, now);
        } catch (GeneralSecurityException e) {
            servingProblem = PemBundle.CERT + " or " + PemBundle.KEY + " is unreadable: " + e.getMessage();
        }
        CertificateSet usable = servingProblem == null ? new CertificateSet(ca, caKey, certificate, key) : null;
        return new Inspection(ca, caKey, null, servingProblem, usable);
    }

    private static String servingProblem(X509Certificate certificate, PrivateKey key, X509Certificate ca,
            CertificateSpec spec, Instant now) throws GeneralSecurityException {
        if (certificate == null || key == null) {
            return "no " + (certificate == null ? PemBundle.CERT : PemBundle.KEY) + " found";
        }
        if (!matches(key, certificate.getPublicKey())) {
            return PemBundle.KEY + " does not belong to " + PemBundle.CERT;
        }
        if (!certificate.getIssuerX500Principal().equals(ca.getSubjectX500Principal())
                || !signedBy(certificate, ca.getPublicKey())) {
            return PemBundle.CERT + " is not signed by " + PemBundle.CA_CERT;
        }
        String time = timeProblem(PemBundle.CERT, certificate, spec, now);
        if (time != null) {
            return time;
        }
        Set<String> missing = missingSans(certificate, spec);
        return missing.isEmpty() ? null : PemBundle.CERT + " lacks SANs " + missing;
    }

    private static String timeProblem(String name, X509Certificate cert, CertificateSpec spec, Instant now) {
        Instant notBefore = cert.getNotBefore().toInstant();
        Instant notAfter = cert.getNotAfter().toInstant();
        if (now.isBefore(notBefore)) {
            return name + " is not valid before " + notBefore;
        }
        if (!now.isBefore(notAfter)) {
            return name + " expired at " + notAfter;
        }
        Duration window = spec.renewalWindow(Duration.between(notBefore, notAfter));
        if (!now.isBefore(notAfter.minus(window))) {
            return name + " expires soon, at " + notAfter;
        }
        return null;
    }

    /** The required SANs (as text, IPs in canonical form) that the certificate does not have. */
    static Set<String> missingSans(X509Certificate certificate, CertificateSpec spec) {
        Set<String> missing = new LinkedHashSet<>(spec.dnsNames());
        spec.ipAddresses().forEach(ip -> missing.add(ip.getHostAddress()));
        try {
            Collection<List<?>> present = certificate.getSubjectAlternativeNames();
            if (present != null) {
                for (List<?> san : present) {
                    missing.remove(canonical(san.get(1).toString()));
                }
            }
        } catch (CertificateParsingException e) {
            // An unreadable SAN extension provides no names: all required ones are missing.
        }
        return missing;
    }

    /** JCA prints IPv6 SANs in full form; compare them the way the spec's InetAddress prints them. */
    private static String canonical(String san) {
        if (CertificateSpec.isIpLiteral(san)) {
            try {
                return java.net.InetAddress.getByName(san).getHostAddress();
            } catch (java.net.UnknownHostException e) {
                return san;
            }
        }
        return san;
    }

    private static PrivateKey readMatchingKey(String pem, PublicKey publicKey) {
        if (pem.isBlank()) {
            return null;
        }
        try {
            PrivateKey key = Pem.privateKey(pem);
            return matches(key, publicKey) ? key : null;
        } catch (GeneralSecurityException e) {
            return null;
        }
    }

    private static boolean signedBy(X509Certificate certificate, PublicKey issuerKey) {
        try {
            certificate.verify(issuerKey);
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** Whether the private key is the one of the public key: sign a probe and verify it. */
    private static boolean matches(PrivateKey key, PublicKey publicKey) {
        if (!key.getAlgorithm().equals(publicKey.getAlgorithm())) {
            return false;
        }
        String algorithm = "RSA".equals(key.getAlgorithm()) ? "SHA256withRSA" : "SHA256withECDSA";
        byte[] probe = "portcullis key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
