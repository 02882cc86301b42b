package io.portcullis.engine.builtins;

/** A builtin failed for its arguments (OPA: a builtin error such as a type error). */
public class BuiltinException extends Exception {
    public BuiltinException(String message) {
        super(message);
    }

    public BuiltinException(String message, Throwable cause) {
        super(message, cause);
    }
}
