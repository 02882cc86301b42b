package io.portcullis.match;

import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * The few fields of a Kubernetes object (given as JSON) the match reads, lenient like Go's unstructured getters:
 * a missing or non-string field is {@code ""}. Kept here rather than borrowed from the constraint package, which
 * depends on this one.
 */
final class ObjectFields {
    private ObjectFields() {
    }

    static String text(JsonNode node) {
        return node != null && node.isString() ? node.asString() : "";
    }

    static String kind(JsonNode object) {
        return text(object.path("kind"));
    }

    /** The API group from {@code apiVersion}; {@code ""} for the core group. */
    static String group(JsonNode object) {
        String apiVersion = text(object.path("apiVersion"));
        int slash = apiVersion.indexOf('/');
        return slash < 0 ? "" : apiVersion.substring(0, slash);
    }

    static boolean isNamespace(JsonNode object) {
        return kind(object).equals("Namespace") && group(object).isEmpty();
    }

    static String name(JsonNode object) {
        return text(object.path("metadata").path("name"));
    }

    static String generateName(JsonNode object) {
        return text(object.path("metadata").path("generateName"));
    }

    static String namespace(JsonNode object) {
        return text(object.path("metadata").path("namespace"));
    }

    /** The string-valued labels; a label whose value is not a string is ignored. */
    static Map<String, String> labels(JsonNode object) {
        Map<String, String> labels = new LinkedHashMap<>();
        JsonNode node = object.path("metadata").path("labels");
        if (node.isObject()) {
            node.properties().forEach(e -> {
                if (e.getValue().isString()) {
                    labels.put(e.getKey(), e.getValue().asString());
                }
            });
        }
        return labels;
    }
}
