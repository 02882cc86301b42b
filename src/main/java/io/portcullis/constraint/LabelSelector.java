package io.portcullis.constraint;

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
                default -> false;
            };
        }
    }

    /**
     * Reads a selector from JSON. Problems are collected, in the form of Kubernetes field errors under
     * {@code path}, rather than thrown: a constraint with an invalid selector is rejected as a whole.
     */
    public static LabelSelector parse(JsonNode node, String path, List<String> errors) {
        Map<String, String> labels = new LinkedHashMap<>();
        List<Requirement> requirements = new ArrayList<>();
        if (node == null || node.isNull() || node.isMissingNode()) {
            return new LabelSelector(labels, requirements);
        }
        if (!node.isObject()) {
            errors.add(path + ": Invalid value: must be an object");
            return new LabelSelector(labels, requirements);
        }
        JsonNode ml = node.path("matchLabels");
        if (ml.isObject()) {
            ml.properties().forEach(e -> {
                String value = e.getValue().isString() ? e.getValue().asString() : e.getValue().toString();
                validateKey(e.getKey(), path + ".matchLabels", errors);
                validateValue(value, path + ".matchLabels", errors);
                labels.put(e.getKey(), value);
            });
        } else if (!ml.isMissingNode() && !ml.isNull()) {
            errors.add(path + ".matchLabels: Invalid value: must be an object");
        }
        JsonNode me = node.path("matchExpressions");
        if (me.isArray()) {
            for (int i = 0; i < me.size(); i++) {
                String at = path + ".matchExpressions[" + i + "]";
                JsonNode expr = me.get(i);
                String key = Kube.text(expr.path("key"));
                String op = Kube.text(expr.path("operator"));
                List<String> values = new ArrayList<>();
                expr.path("values").forEach(v -> values.add(v.isString() ? v.asString() : v.toString()));
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
                requirements.add(new Requirement(key, op, values));
            }
        } else if (!me.isMissingNode() && !me.isNull()) {
            errors.add(path + ".matchExpressions: Invalid value: must be an array");
        }
        return new LabelSelector(labels, requirements);
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
