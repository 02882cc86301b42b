package io.portcullis.tls;

/** Key types for generated certificates. ECDSA P-256 is the default: small, fast, accepted by every API server. */
public enum KeyAlgorithm {
    EC_P256("EC", "SHA256withECDSA"),
    RSA_2048("RSA", "SHA256withRSA");

    private final String jcaName;
    private final String signatureAlgorithm;

    KeyAlgorithm(String jcaName, String signatureAlgorithm) {
        this.jcaName = jcaName;
        this.signatureAlgorithm = signatureAlgorithm;
    }

    String jcaName() {
        return jcaName;
    }

    String signatureAlgorithm() {
        return signatureAlgorithm;
    }
}
