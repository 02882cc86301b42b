package io.portcullis.engine.builtins;

import java.time.Duration;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * The one evaluation a builtin call belongs to. Most builtins need nothing of it; those that leave the process
 * (external_data) need what remains of its deadline, and memoise their answers in it as OPA memoises them per query.
 */
public interface Evaluation {
    /** What remains of the evaluation's deadline; the call must return within it. */
    Duration timeLeft();

    /** Answers kept for the rest of this evaluation, by a key the builtin chooses. */
    Map<String, JsonNode> memo();

    /** No deadline and a memo of its own: a builtin called outside a wasm evaluation (tests, tools). */
    static Evaluation unbounded() {
        Map<String, JsonNode> memo = new java.util.HashMap<>();
        return new Evaluation() {
            @Override
            public Duration timeLeft() {
                return Duration.ofDays(1);
            }

            @Override
            public Map<String, JsonNode> memo() {
                return memo;
            }
        };
    }
}
