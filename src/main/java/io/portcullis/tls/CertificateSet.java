package io.portcullis.tls;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Objects;

/**
 * A CA and the serving certificate it signed, with their keys. {@code caKey} is null when the CA's key is not
 * available (certificates issued elsewhere).
 */
public record CertificateSet(X509Certificate ca, PrivateKey caKey, X509Certificate certificate, PrivateKey key) {

    public CertificateSet {
        Objects.requireNonNull(ca, "ca");
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(key, "key");
    }

    public PemBundle toPem() {
        return new PemBundle(Pem.encode(ca), caKey == null ? "" : Pem.encode(caKey), Pem.encode(certificate),
                Pem.encode(key));
    }
}
