package io.portcullis.expansion;

/** An object could not be expanded (its source field is missing, a mutator failed, ...): Gatekeeper's error text. */
public final class ExpansionException extends Exception {
    public ExpansionException(String message) {
        super(message);
    }

    public ExpansionException(String message, Throwable cause) {
        super(message, cause);
    }
}
