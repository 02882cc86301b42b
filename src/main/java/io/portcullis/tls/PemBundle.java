package io.portcullis.tls;

import java.util.Objects;

/**
 * The four PEM texts a webhook's TLS needs, named as in a {@code kubernetes.io/tls} Secret with a CA (and as
 * Gatekeeper's cert Secret): {@code ca.crt}, {@code ca.key}, {@code tls.crt}, {@code tls.key}. A text the
 * store does not have is empty; {@code ca.key} in particular may be absent when certificates come from
 * elsewhere (cert-manager), and then nothing can be reissued.
 */
public record PemBundle(String caCertificate, String caKey, String certificate, String key) {

    public static final String CA_CERT = "ca.crt";
    public static final String CA_KEY = "ca.key";
    public static final String CERT = "tls.crt";
    public static final String KEY = "tls.key";

    public static final PemBundle EMPTY = new PemBundle("", "", "", "");

    public PemBundle {
        Objects.requireNonNull(caCertificate, CA_CERT);
        Objects.requireNonNull(caKey, CA_KEY);
        Objects.requireNonNull(certificate, CERT);
        Objects.requireNonNull(key, KEY);
    }
}
