package io.portcullis.mutation.error;

/**
 * The object cannot be mutated and the request must be rejected: a mutator failed on it (type mismatch along its
 * path, a match that cannot be decided, no convergence) or a bound security profile is not ready yet. Gatekeeper
 * and SPO both answer these with an errored response, code 500, {@code allowed: false}.
 */
public final class MutationException extends Exception {
    private final int code;

    public MutationException(String message) {
        this(500, message, null);
    }

    public MutationException(String message, Throwable cause) {
        this(500, message, cause);
    }

    public MutationException(int code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    /** The HTTP-style code for the errored admission response: 400 for an object that is not one, else 500. */
    public int code() {
        return code;
    }
}
