package io.portcullis.constraint;

/** A constraint Gatekeeper would not load: bad name, kind, schema, selector, enforcement action or template. */
public class InvalidConstraintException extends Exception {
    /** What is wrong; the webhook answers enforcement-action errors with 500 and the others with 422. */
    public enum Reason { SCHEMA, ENFORCEMENT_ACTION, MISSING_TEMPLATE, OTHER }

    private final Reason reason;

    public InvalidConstraintException(String message) {
        this(message, Reason.OTHER);
    }

    public InvalidConstraintException(String message, Reason reason) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    /** True for {@code schema validation failed} errors, the ones a gator suite test marked {@code invalid} expects. */
    public boolean isSchemaError() {
        return reason == Reason.SCHEMA;
    }
}
