package io.portcullis.engine;

import java.util.List;
import java.util.stream.Collectors;

/** Rego that does not compile (syntax, type or safety errors, or a builtin nobody implements). */
public class PolicyCompileException extends Exception {
    private final List<CompileError> errors;

    public PolicyCompileException(List<CompileError> errors) {
        super(errors.stream().map(CompileError::toString).collect(Collectors.joining("; ")));
        this.errors = List.copyOf(errors);
    }

    public PolicyCompileException(String message) {
        this(List.of(new CompileError("", 0, 0, "compile_error", message)));
    }

    public List<CompileError> errors() {
        return errors;
    }
}
