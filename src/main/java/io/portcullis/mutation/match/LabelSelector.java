package io.portcullis.mutation.match;

import io.portcullis.mutation.JsonValues;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * A Kubernetes {@code metav1.LabelSelector}: {@code matchLabels} and {@code matchExpressions}, all ANDed. An empty
 * selector matches everything.
 */
public record LabelSelector(Map<String, String> matchLabels, List<Requirement> matchExpressions) {

    /** One {@code matchExpressions} entry. */
    public record Requirement(String key, String operator, List<String> values) {
        boolean matches(Map<String, String> labels) {
            return switch (operator) {
                case "In" -> labels.containsKey(key) && values.contains(labels.get(key));
                case "NotIn" -> !labels.containsKey(key) || !values.contains(labels.get(key));
                case "Exists" -> labels.containsKey(key);
                case "DoesNotExist" -> !labels.containsKey(key);
                default -> throw new IllegalStateException("unvalidated operator " + operator);
            };
        }
    }

    public static final LabelSelector EVERYTHING = new LabelSelector(Map.of(), List.of());

    public LabelSelector {
        matchLabels = Map.copyOf(matchLabels);
        matchExpressions = List.copyOf(matchExpressions);
    }

    /**
     * Reads a selector; null or JSON null gives null (no selector). An invalid selector (unknown operator,
     * In/NotIn without values, Exists with values) is an {@link InvalidSelectorException}, as
     * {@code metav1.LabelSelectorAsSelector} reports it.
     */
    public static LabelSelector parse(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (!node.isObject()) {
            throw new InvalidSelectorException("a label selector must be an object, found " + node);
        }
        JsonNode labels = node.get("matchLabels");
        if (labels != null && !labels.isNull()) {
            if (!labels.isObject()) {
                throw new InvalidSelectorException("matchLabels must be a map of strings");
            }
            for (var e : labels.properties()) {
                if (!e.getValue().isString()) {
                    throw new InvalidSelectorException("matchLabels." + e.getKey() + " must be a string");
                }
            }
        }
        List<Requirement> requirements = new ArrayList<>();
        JsonNode expressions = node.get("matchExpressions");
        if (expressions != null && !expressions.isNull()) {
            if (!expressions.isArray()) {
                throw new InvalidSelectorException("matchExpressions must be a list");
            }
            for (JsonNode expression : expressions.values()) {
                requirements.add(requirement(expression));
            }
        }
        return new LabelSelector(JsonValues.stringMap(node, "matchLabels"), requirements);
    }

    private static Requirement requirement(JsonNode expression) {
        String key = JsonValues.text(expression, "key");
        String operator = JsonValues.text(expression, "operator");
        if (key == null || key.isEmpty()) {
            throw new InvalidSelectorException("a matchExpressions entry needs a key");
        }
        List<String> values;
        try {
            values = JsonValues.strings(expression, "values");
        } catch (IllegalArgumentException e) {
            throw new InvalidSelectorException("matchExpressions " + key + ": " + e.getMessage());
        }
        if (operator == null) {
            throw new InvalidSelectorException("matchExpressions " + key + ": operator is required");
        }
        switch (operator) {
            case "In", "NotIn" -> {
                if (values.isEmpty()) {
                    throw new InvalidSelectorException("matchExpressions " + key + ": values must be non-empty for " + operator);
                }
            }
            case "Exists", "DoesNotExist" -> {
                if (!values.isEmpty()) {
                    throw new InvalidSelectorException("matchExpressions " + key + ": values must be empty for " + operator);
                }
            }
            default -> throw new InvalidSelectorException("matchExpressions " + key + ": \"" + operator
                    + "\" is not a valid label selector operator");
        }
        return new Requirement(key, operator, values);
    }

    public boolean matches(Map<String, String> labels) {
        for (var e : matchLabels.entrySet()) {
            if (!e.getValue().equals(labels.get(e.getKey()))) {
                return false;
            }
        }
        for (Requirement r : matchExpressions) {
            if (!r.matches(labels)) {
                return false;
            }
        }
        return true;
    }

    /** The selector is not a valid Kubernetes label selector. */
    public static final class InvalidSelectorException extends IllegalArgumentException {
        public InvalidSelectorException(String message) {
            super(message);
        }
    }
}
