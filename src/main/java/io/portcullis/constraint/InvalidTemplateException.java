package io.portcullis.constraint;

import io.portcullis.engine.CompileError;
import java.util.List;

/**
 * A ConstraintTemplate Gatekeeper would refuse: {@code create_error} for problems with the template object itself
 * (kind, name, targets, schema), {@code ingest_error} for its code (Rego checks, compilation). A template that
 * fails enforces nothing.
 */
public class InvalidTemplateException extends Exception {
    public static final String CREATE_ERROR = "create_error";
    public static final String INGEST_ERROR = "ingest_error";

    private final String code;
    private final List<CompileError> errors;

    public InvalidTemplateException(String code, String message) {
        this(code, message, List.of());
    }

    public InvalidTemplateException(String code, String message, List<CompileError> errors) {
        super(message);
        this.code = code;
        this.errors = List.copyOf(errors);
    }

    /** The template status error code: {@link #CREATE_ERROR} or {@link #INGEST_ERROR}. */
    public String code() {
        return code;
    }

    /** Located errors (module, line, column) when the Rego is at fault; empty otherwise. */
    public List<CompileError> errors() {
        return errors;
    }
}
