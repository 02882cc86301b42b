package io.portcullis.constraint;

/** A manifest file that cannot be read or parsed as Kubernetes objects. */
public class ManifestException extends Exception {
    public ManifestException(String message) {
        super(message);
    }

    public ManifestException(String message, Throwable cause) {
        super(message, cause);
    }
}
