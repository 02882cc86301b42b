package io.portcullis.tls;

/** A shared certificate store was written by someone else (another replica) between our read and our write. */
public final class CertificateConflictException extends RuntimeException {

    public CertificateConflictException(String message, Throwable cause) {
        super(message, cause);
    }
}
