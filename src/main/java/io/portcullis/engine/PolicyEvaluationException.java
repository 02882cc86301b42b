package io.portcullis.engine;

/** An evaluation that did not produce a result: deadline, memory cap, a Rego runtime error or an abort. */
public class PolicyEvaluationException extends Exception {
    public enum Reason {
        /** The evaluation ran past its deadline and was stopped. */
        DEADLINE_EXCEEDED,
        /** The wasm instance wanted more linear memory than its cap. */
        MEMORY_LIMIT,
        /** OPA raised an error: conflicting values, a failing builtin under strict errors, an abort. */
        RUNTIME_ERROR,
        /** The input could not be turned into JSON, or the entrypoint does not exist. */
        BAD_REQUEST
    }

    private final Reason reason;

    public PolicyEvaluationException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public PolicyEvaluationException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
