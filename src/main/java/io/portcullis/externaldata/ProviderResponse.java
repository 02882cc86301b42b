package io.portcullis.externaldata;

import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * The {@code response} of a ProviderResponse: {@code {"idempotent": bool, "items": [{"key", "value", "error"}],
 * "systemError": "..."}}. Read as leniently as Go's json.Unmarshal into Gatekeeper's types: missing fields are
 * zero, but a field of the wrong type fails the whole answer.
 */
record ProviderResponse(boolean idempotent, List<Item> items, String systemError) {

    /** One key's answer; {@code value} is null when the provider sent none. */
    record Item(JsonNode key, JsonNode value, String error) {
    }

    static ProviderResponse parse(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw new IllegalArgumentException("json: cannot unmarshal " + type(body) + " into Go value of type externaldata.ProviderResponse");
        }
        JsonNode response = body.path("response");
        if (response.isMissingNode() || response.isNull()) {
            return new ProviderResponse(false, List.of(), "");
        }
        if (!response.isObject()) {
            throw field("response", response, "externaldata.Response");
        }
        boolean idempotent = bool(response.get("idempotent"), "response.idempotent");
        String systemError = string(response.get("systemError"), "response.systemError");
        List<Item> items = new ArrayList<>();
        JsonNode array = response.get("items");
        if (array != null && !array.isNull()) {
            if (!array.isArray()) {
                throw field("response.items", array, "[]externaldata.Item");
            }
            for (JsonNode item : array) {
                if (!item.isObject()) {
                    throw field("response.items", item, "externaldata.Item");
                }
                JsonNode value = item.get("value");
                items.add(new Item(item.get("key"),
                        value == null || value.isNull() ? null : value,
                        string(item.get("error"), "response.items.error")));
            }
        }
        return new ProviderResponse(idempotent, items, systemError);
    }

    private static boolean bool(JsonNode node, String field) {
        if (node == null || node.isNull()) {
            return false;
        }
        if (!node.isBoolean()) {
            throw field(field, node, "bool");
        }
        return node.booleanValue();
    }

    private static String string(JsonNode node, String field) {
        if (node == null || node.isNull()) {
            return "";
        }
        if (!node.isString()) {
            throw field(field, node, "string");
        }
        return node.stringValue();
    }

    private static IllegalArgumentException field(String field, JsonNode node, String goType) {
        return new IllegalArgumentException("json: cannot unmarshal " + type(node) + " into Go struct field "
                + field + " of type " + goType);
    }

    private static String type(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "nothing";
        }
        if (node.isString()) {
            return "string";
        }
        if (node.isNumber()) {
            return "number";
        }
        if (node.isBoolean()) {
            return "bool";
        }
        if (node.isArray()) {
            return "array";
        }
        return node.isObject() ? "object" : "null";
    }
}
