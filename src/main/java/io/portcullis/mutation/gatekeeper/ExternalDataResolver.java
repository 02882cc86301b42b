package io.portcullis.mutation.gatekeeper;

import io.portcullis.mutation.error.MutationException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Gatekeeper's resolvePlaceholders: once the passes have converged, every placeholder's key is sent to its provider,
 * one request per provider, and the answer (a string) replaces the placeholder. A call that fails, an error for the
 * key, or a value that is not a string follows the placeholder's failurePolicy: Fail fails the mutation, Ignore
 * writes the key back, UseDefault writes {@code default}. Messages are Gatekeeper's.
 */
final class ExternalDataResolver {
    private ExternalDataResolver() {
    }

    static void resolve(ObjectNode object, ProviderCalls calls) throws MutationException {
        Map<String, Set<String>> keys = new LinkedHashMap<>();
        collect(object, keys);
        if (keys.isEmpty()) {
            return;
        }
        Map<String, Optional<ProviderCalls.Answer>> answers = new LinkedHashMap<>();
        keys.forEach((provider, providerKeys) -> answers.put(provider, calls.call(provider, providerKeys)));
        List<String> errors = new ArrayList<>();
        replace(object, answers, errors);
        if (errors.size() == 1) {
            throw new MutationException(errors.getFirst());
        }
        if (!errors.isEmpty()) {
            throw new MutationException("[" + String.join(", ", errors) + "]");
        }
    }

    private static void collect(JsonNode node, Map<String, Set<String>> keys) {
        Placeholder placeholder = Placeholder.of(node);
        if (placeholder != null) {
            keys.computeIfAbsent(placeholder.ref().provider(), p -> new LinkedHashSet<>()).add(placeholder.valueAtLocation());
            return;
        }
        if (node.isContainer()) {
            for (JsonNode child : node) {
                collect(child, keys);
            }
        }
    }

    private static void replace(JsonNode node, Map<String, Optional<ProviderCalls.Answer>> answers, List<String> errors) {
        if (node instanceof ObjectNode object) {
            for (String field : List.copyOf(object.propertyNames())) {
                Placeholder placeholder = Placeholder.of(object.get(field));
                if (placeholder == null) {
                    replace(object.get(field), answers, errors);
                    continue;
                }
                String value = value(placeholder, answers.get(placeholder.ref().provider()), errors);
                if (value != null) {
                    object.put(field, value);
                }
            }
        } else if (node instanceof ArrayNode array) {
            for (JsonNode item : array) {
                replace(item, answers, errors);
            }
        }
    }

    /** The string to write, or null when the mutation fails (the error is added). */
    private static String value(Placeholder placeholder, Optional<ProviderCalls.Answer> answer, List<String> errors) {
        String provider = placeholder.ref().provider();
        String error = null;
        String value = null;
        if (answer.isEmpty()) {
            error = "failed to find external data provider " + provider + " in responses";
        } else if (answer.get().error() != null) {
            error = answer.get().error();
        } else {
            ProviderCalls.Item item = answer.get().items().get(placeholder.valueAtLocation());
            if (item == null) {
                error = "failed to find external data item in response for provider " + provider;
            } else if (item.error() != null && !item.error().isEmpty()) {
                error = "failed to retrieve external data item from provider " + provider + ": " + item.error();
            } else if (item.value() == null || !item.value().isString()) {
                error = "failed to convert external data item value from provider " + provider
                        + " to string, got type " + goType(item.value());
            } else {
                value = item.value().stringValue();
            }
        }
        if (error == null) {
            return value;
        }
        return switch (placeholder.ref().failurePolicy()) {
            case FAIL -> {
                errors.add(error);
                yield null;
            }
            case IGNORE -> placeholder.valueAtLocation();
            case USE_DEFAULT -> placeholder.ref().defaultValue();
        };
    }

    private static String goType(JsonNode value) {
        if (value == null || value.isNull()) {
            return "<nil>";
        }
        if (value.isNumber()) {
            return "float64";
        }
        if (value.isBoolean()) {
            return "bool";
        }
        return value.isArray() ? "[]interface {}" : "map[string]interface {}";
    }
}
