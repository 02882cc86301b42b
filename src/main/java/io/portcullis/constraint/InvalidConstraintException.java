package io.portcullis.constraint;

/** A constraint Gatekeeper would not load: bad name, kind, schema, selector or enforcement action. */
public class InvalidConstraintException extends Exception {
    private final boolean schemaError;

    public InvalidConstraintException(String message) {
        this(message, false);
    }

    public InvalidConstraintException(String message, boolean schemaError) {
        super(message);
        this.schemaError = schemaError;
    }

    /** True for {@code schema validation failed} errors, the ones a gator suite test marked {@code invalid} expects. */
    public boolean isSchemaError() {
        return schemaError;
    }
}
