package io.portcullis.engine.builtins;

/**
 * A builtin failed for its arguments (OPA: a builtin error such as a type error). The message is OPA's, prefixed
 * with the builtin's name ("sprintf: operand 2 must be array but got set"); {@link #code()} is OPA's error code,
 * so a caller can report it the way OPA does.
 */
public class BuiltinException extends Exception {
    /** OPA's code for an operand of the wrong type. */
    public static final String TYPE_ERROR = "eval_type_error";
    /** OPA's code for any other builtin failure (a bad regex, an unparsable date, ...). */
    public static final String BUILTIN_ERROR = "eval_builtin_error";

    private final String code;

    public BuiltinException(String message) {
        this(BUILTIN_ERROR, message, null);
    }

    public BuiltinException(String message, Throwable cause) {
        this(BUILTIN_ERROR, message, cause);
    }

    public BuiltinException(String code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    /** A type error of one operand, worded as OPA words it: "name: operand 2 must be array but got set". */
    public static BuiltinException typeError(String builtin, String message) {
        return new BuiltinException(TYPE_ERROR, builtin + ": " + message, null);
    }

    /** Any other failure of a builtin, worded "name: message". */
    public static BuiltinException builtinError(String builtin, String message) {
        return new BuiltinException(BUILTIN_ERROR, builtin + ": " + message, null);
    }

    public String code() {
        return code;
    }
}
