package io.portcullis.externaldata;

/** A Provider Gatekeeper would not put in its provider cache; the message is Gatekeeper's. */
public final class InvalidProviderException extends Exception {
    public InvalidProviderException(String message) {
        super(message);
    }
}
