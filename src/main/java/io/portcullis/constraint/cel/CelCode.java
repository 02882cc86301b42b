package io.portcullis.constraint.cel;

import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * The {@code source} of a template's {@code K8sNativeValidation} code entry, checked as Gatekeeper checks it
 * ([GK] pkg/drivers/k8scel/schema/schema.go), with its error texts.
 *
 * @param failurePolicy {@code Fail} (also when absent) or {@code Ignore}: what an evaluation error decides
 */
public record CelCode(List<Validation> validations, List<MatchCondition> matchConditions, List<Variable> variables,
        String failurePolicy) {

    public static final String ENGINE = "K8sNativeValidation";
    /** Names Gatekeeper keeps for its own match conditions and variables. */
    static final String RESERVED_PREFIX = "gatekeeper_internal_";

    public record Validation(String expression, String message, String messageExpression) {
    }

    public record MatchCondition(String name, String expression) {
    }

    public record Variable(String name, String expression) {
    }

    public CelCode {
        validations = List.copyOf(validations);
        matchConditions = List.copyOf(matchConditions);
        variables = List.copyOf(variables);
    }

    public boolean failClosed() {
        return failurePolicy.equals("Fail");
    }

    /** Reads and checks a {@code source}; the message of the exception is Gatekeeper's. */
    public static CelCode parse(JsonNode source) {
        if (!source.isObject()) {
            throw new IllegalArgumentException("could not recognize the type");
        }
        List<Validation> validations = new ArrayList<>();
        for (JsonNode v : array(source, "validations")) {
            validations.add(new Validation(text(v, "expression"), text(v, "message"), text(v, "messageExpression")));
        }
        List<MatchCondition> conditions = new ArrayList<>();
        // Gatekeeper's field is "matchCondition" (singular), as its Source struct's JSON tag spells it.
        for (JsonNode c : array(source, "matchCondition")) {
            MatchCondition condition = new MatchCondition(text(c, "name"), text(c, "expression"));
            if (condition.name().startsWith(RESERVED_PREFIX)) {
                throw new IllegalArgumentException("invalid match condition: " + condition.name() + " is not a valid "
                        + "match condition; cannot have \"" + RESERVED_PREFIX + "\" as a prefix");
            }
            conditions.add(condition);
        }
        List<Variable> variables = new ArrayList<>();
        for (JsonNode v : array(source, "variables")) {
            Variable variable = new Variable(text(v, "name"), text(v, "expression"));
            if (variable.name().startsWith(RESERVED_PREFIX)) {
                throw new IllegalArgumentException("invalid variable definition: " + variable.name() + " is not a valid "
                        + "variable; cannot have \"" + RESERVED_PREFIX + "\" as a prefix");
            }
            for (String reserved : List.of(CelTemplate.PARAMS, CelTemplate.ANY_OBJECT)) {
                if (variable.name().equals(reserved)) {
                    throw new IllegalArgumentException("invalid variable definition: " + reserved
                            + " an invalid variable name, \"" + reserved + "\" is a reserved keyword");
                }
            }
            variables.add(variable);
        }
        JsonNode policy = source.get("failurePolicy");
        String failurePolicy = policy == null || policy.isNull() ? "Fail" : policy.asString("");
        if (!failurePolicy.equals("Fail") && !failurePolicy.equals("Ignore")) {
            throw new IllegalArgumentException("invalid failure policy: unrecognized failure policy: " + failurePolicy);
        }
        return new CelCode(validations, conditions, variables, failurePolicy);
    }

    private static Iterable<JsonNode> array(JsonNode source, String field) {
        JsonNode node = source.get(field);
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw new IllegalArgumentException(field + " must be a list");
        }
        return node;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || !value.isString() ? "" : value.asString();
    }
}
