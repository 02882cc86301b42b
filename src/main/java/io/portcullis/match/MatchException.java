package io.portcullis.match;

/**
 * The match criteria could not be decided for an object, e.g. a namespaceSelector for a namespaced object whose
 * Namespace is unknown. Gatekeeper turns this into an autorejection for a constraint and a failed mutation for a
 * mutator.
 */
public class MatchException extends Exception {
    public MatchException(String message) {
        super(message);
    }
}
