package io.portcullis.mutation.match;

/** A match criterion cannot be decided, e.g. a namespaceSelector for a namespaced object without its Namespace. */
public final class MatchException extends Exception {
    public MatchException(String message) {
        super(message);
    }
}
