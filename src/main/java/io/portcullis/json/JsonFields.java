package io.portcullis.json;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * Reading Kubernetes objects given as Jackson trees, leniently as Go's unstructured getters do: a missing, null or
 * non-string field reads as {@code ""} (or null where a method says so). The one accessor every package uses, so it
 * depends on none of them.
 */
public final class JsonFields {
    private JsonFields() {
    }

    /** The string value, or "" when missing, null or not a string (as Go's NestedString getters answer). */
    public static String text(JsonNode node) {
        return node != null && node.isString() ? node.asString() : "";
    }

    /** The string at {@code field}, or null when it is absent or not a string. */
    public static String textOrNull(JsonNode node, String field) {
        if (node == null) {
            return null;
        }
        JsonNode value = node.get(field);
        return value != null && value.isString() ? value.stringValue() : null;
    }

    public static String kind(JsonNode object) {
        return text(object.path("kind"));
    }

    /** The API group from {@code apiVersion}; {@code ""} for the core group. */
    public static String group(JsonNode object) {
        String apiVersion = text(object.path("apiVersion"));
        int slash = apiVersion.indexOf('/');
        return slash < 0 ? "" : apiVersion.substring(0, slash);
    }

    /** The API version of an object without its group, e.g. {@code v1} for {@code apps/v1}. */
    public static String version(JsonNode object) {
        String apiVersion = text(object.path("apiVersion"));
        return apiVersion.substring(apiVersion.indexOf('/') + 1);
    }

    public static String name(JsonNode object) {
        return text(object.path("metadata").path("name"));
    }

    public static String generateName(JsonNode object) {
        return text(object.path("metadata").path("generateName"));
    }

    public static String namespace(JsonNode object) {
        return text(object.path("metadata").path("namespace"));
    }

    /** The string-valued labels; a label whose value is not a string is ignored. */
    public static Map<String, String> labels(JsonNode object) {
        return stringMap(object.path("metadata"), "labels");
    }

    /** A core-group Namespace. */
    public static boolean isNamespace(JsonNode object) {
        return kind(object).equals("Namespace") && group(object).isEmpty();
    }

    /** {@code ns/name}, or {@code name} for cluster-scoped objects: for messages. */
    public static String describe(JsonNode object) {
        String ns = namespace(object);
        return ns.isEmpty() ? name(object) : ns + "/" + name(object);
    }

    /**
     * Deep equality of JSON values with numbers compared by value. Jackson's own {@code equals} tells
     * {@code IntNode(1)} from {@code LongNode(1)}; decoded Kubernetes objects do not, and neither does Gatekeeper.
     */
    public static boolean deepEquals(JsonNode a, JsonNode b) {
        if (a == b) {
            return true;
        }
        if (a == null || b == null) {
            return false;
        }
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue()) == 0;
        }
        if (a.getNodeType() != b.getNodeType()) {
            return false;
        }
        if (a.isArray()) {
            if (a.size() != b.size()) {
                return false;
            }
            for (int i = 0; i < a.size(); i++) {
                if (!deepEquals(a.get(i), b.get(i))) {
                    return false;
                }
            }
            return true;
        }
        if (a.isObject()) {
            if (a.size() != b.size()) {
                return false;
            }
            for (Map.Entry<String, JsonNode> e : a.properties()) {
                if (!deepEquals(e.getValue(), b.get(e.getKey()))) {
                    return false;
                }
            }
            return true;
        }
        return a.equals(b);
    }

    /** The string-to-string map at {@code field} (labels, annotations); non-string values are skipped. */
    public static Map<String, String> stringMap(JsonNode node, String field) {
        Map<String, String> out = new LinkedHashMap<>();
        JsonNode map = node == null ? null : node.get(field);
        if (map != null && map.isObject()) {
            for (Map.Entry<String, JsonNode> e : map.properties()) {
                if (e.getValue().isString()) {
                    out.put(e.getKey(), e.getValue().stringValue());
                }
            }
        }
        return out;
    }

    /** The strings of the array at {@code field}; an absent field is an empty list. */
    public static List<String> strings(JsonNode node, String field) {
        JsonNode array = node == null ? null : node.get(field);
        if (array == null || array.isNull()) {
            return List.of();
        }
        if (!array.isArray()) {
            throw new IllegalArgumentException(field + " must be a list of strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode item : array.values()) {
            if (!item.isString()) {
                throw new IllegalArgumentException(field + " must be a list of strings, found " + item);
            }
            out.add(item.stringValue());
        }
        return List.copyOf(out);
    }
}
