package io.portcullis.mutation;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** Small helpers for reading Jackson trees the way Go's unstructured objects are read. */
public final class JsonValues {
    private JsonValues() {
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

    /** The API group of an object ({@code ""} for the core group), from its {@code apiVersion}. */
    public static String group(JsonNode object) {
        String apiVersion = text(object, "apiVersion");
        return apiVersion == null || !apiVersion.contains("/") ? "" : apiVersion.substring(0, apiVersion.indexOf('/'));
    }

    /** The API version of an object without its group, e.g. {@code v1} for {@code apps/v1}. */
    public static String version(JsonNode object) {
        String apiVersion = text(object, "apiVersion");
        return apiVersion == null ? "" : apiVersion.substring(apiVersion.indexOf('/') + 1);
    }

    /** The string at {@code field}, or null when it is absent or not a string. */
    public static String text(JsonNode node, String field) {
        if (node == null) {
            return null;
        }
        JsonNode value = node.get(field);
        return value != null && value.isString() ? value.stringValue() : null;
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
