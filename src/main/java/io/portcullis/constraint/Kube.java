package io.portcullis.constraint;

import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** Read-only accessors for the metadata of a Kubernetes object given as JSON, lenient like unstructured.Unstructured. */
public final class Kube {
    private Kube() {
    }

    /** The string value, or "" when missing, null or not a string (as Go's NestedString getters answer). */
    public static String text(JsonNode node) {
        return node != null && node.isString() ? node.asString() : "";
    }

    public static String name(JsonNode object) {
        return text(object.path("metadata").path("name"));
    }

    public static String namespace(JsonNode object) {
        return text(object.path("metadata").path("namespace"));
    }

    /** The string-valued labels; a label whose value is not a string is ignored. */
    public static Map<String, String> labels(JsonNode object) {
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

    public static boolean isNamespace(JsonNode object) {
        return Gvk.of(object).isNamespace();
    }

    /** {@code ns/name}, or {@code name} for cluster-scoped objects: for messages. */
    public static String describe(JsonNode object) {
        String ns = namespace(object);
        return ns.isEmpty() ? name(object) : ns + "/" + name(object);
    }
}
