package io.portcullis.constraint;

/** The match criteria could not be evaluated for an object; Gatekeeper turns this into an autorejection. */
public class MatchException extends Exception {
    public MatchException(String message) {
        super(message);
    }
}
