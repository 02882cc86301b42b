package io.portcullis.tls;

/**
 * Where the webhook's certificates live. The directory store serves a standalone server and a mounted Secret;
 * an in-cluster rotator can keep them in a Secret instead, using the same {@link CertificateProvisioner}.
 */
public interface CertificateStore {

    /** What is stored now; texts that are missing are empty. */
    PemBundle load();

    /** Replaces the stored certificates. */
    void save(PemBundle bundle);

    /** For log lines: where the certificates are. */
    String describe();
}
