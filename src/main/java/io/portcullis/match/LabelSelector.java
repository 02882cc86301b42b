package io.portcullis.match;

import io.portcullis.json.JsonFields;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * A Kubernetes label selector ({@code matchLabels} and {@code matchExpressions}, ANDed) with the API server's
 * semantics: {@code NotIn} and {@code DoesNotExist} also select objects without the key; an empty selector
 * selects everything.
 */
public record LabelSelector(Map<String, String> matchLabels, List<Requirement> matchExpressions) {
    private static final Pattern QUALIFIED_NAME = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
    private static final Pattern DNS1123_SUBDOMAIN = Pattern.compile(
            "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    public LabelSelector {
        matchLabels = Map.copyOf(matchLabels);
        matchExpressions = List.copyOf(matchExpressions);
    }

    /** One {@code matchExpressions} entry. */
    public record Requirement(String key, String operator, List<String> values) {
        public Requirement {
            values = List.copyOf(values);
        }

        boolean matches(Map<String, String> labels) {
            return switch (operator) {
                case "In" -> labels.containsKey(key) && values.contains(labels.get(key));
                case "NotIn" -> !labels.containsKey(key) || !values.contains(labels.get(key));
                case "Exists" -> labels.containsKey(key);
                case "DoesNotExist" -> !labels.containsKey(key);
                // parse reports any other operator, so only a selector built in code gets here: it selects nothing.
                default -> false;
            };
        }
    }

    /** The selector is not a valid Kubernetes label selector. */
    public static final class InvalidSelectorException extends IllegalArgumentException {
        public InvalidSelectorException(String message) {
            super(message);
        }
    }

    /**
     * Reads a selector; absent or JSON null is null (no selector). Problems are collected as Kubernetes field errors
     * under {@code path} (the checks of the API server's {@code ValidateLabelSelector}) rather than thrown, so an
     * object with several is rejected with all of them.
     */
    public static LabelSelector parse(JsonNode node, String path, List<String> errors) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        Map<String, String> labels = new LinkedHashMap<>();
        List<Requirement> requirements = new ArrayList<>();
        if (!node.isObject()) {
            errors.add(path + ": Invalid value: must be an object");
            return new LabelSelector(labels, requirements);
        }
        JsonNode ml = node.path("matchLabels");
        if (ml.isObject()) {
            ml.properties().forEach(e -> {
                String at = path + ".matchLabels";
                validateKey(e.getKey(), at, errors);
                if (!e.getValue().isString()) {
                    errors.add(at + "." + e.getKey() + ": Invalid value: " + e.getValue() + ": must be a string");
                    return;
                }
                validateValue(e.getValue().asString(), at, errors);
                labels.put(e.getKey(), e.getValue().asString());
            });
        } else if (!ml.isMissingNode() && !ml.isNull()) {
            errors.add(path + ".matchLabels: Invalid value: must be an object");
        }
        JsonNode me = node.path("matchExpressions");
        if (me.isArray()) {
            for (int i = 0; i < me.size(); i++) {
                requirements.add(requirement(me.get(i), path + ".matchExpressions[" + i + "]", errors));
            }
        } else if (!me.isMissingNode() && !me.isNull()) {
            errors.add(path + ".matchExpressions: Invalid value: must be an array");
        }
        return new LabelSelector(labels, requirements);
    }

    /**
     * Reads a selector that must be valid as a whole (the SPO's {@code podSelector}); absent or JSON null is null.
     *
     * @throws InvalidSelectorException listing every problem
     */
    public static LabelSelector parse(JsonNode node, String path) {
        List<String> errors = new ArrayList<>();
        LabelSelector selector = parse(node, path, errors);
        if (!errors.isEmpty()) {
            throw new InvalidSelectorException(String.join(", ", errors));
        }
        return selector;
    }

    private static Requirement requirement(JsonNode expr, String at, List<String> errors) {
        String key = JsonFields.text(expr.path("key"));
        String op = JsonFields.text(expr.path("operator"));
        List<String> values = new ArrayList<>();
        JsonNode valuesNode = expr.path("values");
        if (valuesNode.isArray()) {
            for (JsonNode v : valuesNode) {
                if (v.isString()) {
                    values.add(v.asString());
                } else {
                    errors.add(at + ".values: Invalid value: " + v + ": must be a string");
                }
            }
        } else if (!valuesNode.isMissingNode() && !valuesNode.isNull()) {
            errors.add(at + ".values: Invalid value: must be an array");
        }
        switch (op) {
            case "In", "NotIn" -> {
                if (values.isEmpty()) {
                    errors.add(at + ".values: Required value: must be specified when `operator` is 'In' or 'NotIn'");
                }
            }
            case "Exists", "DoesNotExist" -> {
                if (!values.isEmpty()) {
                    errors.add(at + ".values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'");
                }
            }
            default -> errors.add(at + ".operator: Invalid value: \"" + op + "\": not a valid selector operator");
        }
        validateKey(key, at + ".key", errors);
        values.forEach(v -> validateValue(v, at + ".values", errors));
        return new Requirement(key, op, values);
    }

    public boolean matches(Map<String, String> labels) {
        for (Map.Entry<String, String> e : matchLabels.entrySet()) {
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

    private static void validateKey(String key, String path, List<String> errors) {
        String name = key;
        int slash = key.indexOf('/');
        if (slash >= 0) {
            String prefix = key.substring(0, slash);
            name = key.substring(slash + 1);
            if (prefix.isEmpty() || prefix.length() > 253 || !DNS1123_SUBDOMAIN.matcher(prefix).matches()) {
                errors.add(path + ": Invalid value: \"" + key + "\": prefix part must be a lowercase RFC 1123 subdomain");
                return;
            }
        }
        if (name.isEmpty() || name.length() > 63 || !QUALIFIED_NAME.matcher(name).matches()) {
            errors.add(path + ": Invalid value: \"" + key + "\": name part must consist of alphanumeric characters, "
                    + "'-', '_' or '.', and must start and end with an alphanumeric character (at most 63 characters)");
        }
    }

    private static void validateValue(String value, String path, List<String> errors) {
        if (!value.isEmpty() && (value.length() > 63 || !QUALIFIED_NAME.matcher(value).matches())) {
            errors.add(path + ": Invalid value: \"" + value + "\": a valid label must be an empty string or consist of "
                    + "alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character");
        }
    }
}
