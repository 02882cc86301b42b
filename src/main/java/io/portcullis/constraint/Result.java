package io.portcullis.constraint;

import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * One violation: a message from a constraint's template, or an error standing in for one (a failed evaluation
 * or match), which carries the constraint's enforcement action all the same.
 *
 * @param constraint the constraint object (defaults applied)
 * @param enforcementAction the constraint's {@code spec.enforcementAction}: deny, dryrun, warn or scoped
 * @param actions what to do at the enforcement point of the review: for scoped constraints the scoped actions
 *     for that point, otherwise {@code [enforcementAction]}
 * @param details the violation's {@code details}, {@code {}} when it gave none
 */
public record Result(String constraintKind, String constraintName, JsonNode constraint, String enforcementAction,
        List<String> actions, String msg, JsonNode details) {

    public Result {
        actions = List.copyOf(actions);
    }

    /** Whether the result blocks (a deny action, directly or scoped). */
    public boolean isDeny() {
        return actions.contains(Enforcement.DENY);
    }

    public boolean isWarn() {
        return actions.contains(Enforcement.WARN);
    }
}
