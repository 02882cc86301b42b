package io.portcullis.constraint;

import io.portcullis.json.JsonFields;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * What the Kubernetes API server does with a CRD's structural OpenAPI v3 schema, besides validating: apply
 * {@code default}s, drop nulls from non-nullable fields, find fields the schema does not know, and Gatekeeper's
 * {@code legacySchema} transform. Schemas and objects are JSON trees; the methods that change an object change it
 * in place.
 */
public final class StructuralSchema {
    private static final String PRESERVE = "x-kubernetes-preserve-unknown-fields";

    private StructuralSchema() {
    }

    /**
     * Gatekeeper's legacySchema transform ([FW] constraint/pkg/schema/transform.go): every object or untyped node,
     * and array items without a schema, preserve unknown fields, so arbitrary parameters are accepted.
     */
    public static ObjectNode addPreserveUnknownFields(JsonNode schema) {
        ObjectNode copy = schema == null || !schema.isObject() ? JsonNodeFactory.instance.objectNode() : (ObjectNode) schema.deepCopy();
        preserve(copy);
        return copy;
    }

    private static void preserve(ObjectNode schema) {
        String type = JsonFields.text(schema.path("type"));
        if (type.isEmpty() || type.equals("object")) {
            schema.put(PRESERVE, true);
        }
        if (schema.path("properties") instanceof ObjectNode props) {
            props.properties().forEach(e -> {
                if (e.getValue() instanceof ObjectNode p) {
                    preserve(p);
                }
            });
        }
        JsonNode items = schema.path("items");
        if (items instanceof ObjectNode i) {
            preserve(i);
        } else if (type.equals("array") && items.isMissingNode()) {
            schema.putObject("items").put(PRESERVE, true);
        }
        if (schema.path("additionalProperties") instanceof ObjectNode ap) {
            preserve(ap);
        }
    }

    /**
     * Structural defaulting ([k8s] apiextensions-apiserver/pkg/apiserver/schema/defaulting): a missing property,
     * or a null one that is not nullable, gets a copy of its {@code default}; defaults inside defaults apply too.
     * Then non-nullable nulls without a default are dropped, as the API server does before validating.
     */
    public static void applyDefaults(JsonNode value, JsonNode schema) {
        if (schema == null || !schema.isObject()) {
            return;
        }
        if (value instanceof ObjectNode object) {
            JsonNode props = schema.path("properties");
            if (props.isObject()) {
                props.properties().forEach(e -> {
                    JsonNode def = e.getValue().get("default");
                    JsonNode current = object.get(e.getKey());
                    if (def != null && (current == null || isNonNullableNull(current, e.getValue()))) {
                        object.set(e.getKey(), def.deepCopy());
                    }
                });
            }
            for (Map.Entry<String, JsonNode> e : List.copyOf(object.properties())) {
                JsonNode propSchema = props.get(e.getKey());
                if (propSchema == null && schema.path("additionalProperties").isObject()) {
                    propSchema = schema.get("additionalProperties");
                }
                if (propSchema != null) {
                    applyDefaults(e.getValue(), propSchema);
                }
            }
            // PruneNonNullableNullsWithoutDefaults
            List<String> nulls = new ArrayList<>();
            object.properties().forEach(e -> {
                JsonNode propSchema = props.get(e.getKey());
                if (propSchema != null && isNonNullableNull(e.getValue(), propSchema) && propSchema.get("default") == null) {
                    nulls.add(e.getKey());
                }
            });
            object.remove(nulls);
        } else if (value instanceof ArrayNode array) {
            JsonNode items = schema.get("items");
            if (items == null || !items.isObject()) {
                return;
            }
            for (int i = 0; i < array.size(); i++) {
                if (isNonNullableNull(array.get(i), items) && items.get("default") != null) {
                    array.set(i, items.get("default").deepCopy());
                }
                applyDefaults(array.get(i), items);
            }
        }
    }

    private static boolean isNonNullableNull(JsonNode value, JsonNode schema) {
        return value.isNull() && !schema.path("nullable").asBoolean(false);
    }

    /**
     * The paths of fields the schema does not know, as structural pruning would drop them
     * (e.g. {@code spec.parameters.foo}). {@code apiVersion}, {@code kind} and {@code metadata} at the root, and
     * everything under {@code x-kubernetes-preserve-unknown-fields}, are known.
     */
    public static List<String> unknownFields(JsonNode object, JsonNode schema) {
        List<String> unknown = new ArrayList<>();
        if (object instanceof ObjectNode root) {
            root.properties().forEach(e -> {
                String k = e.getKey();
                if (k.equals("apiVersion") || k.equals("kind") || k.equals("metadata")) {
                    return;
                }
                JsonNode propSchema = schema.path("properties").get(k);
                if (propSchema == null) {
                    if (!preserves(schema)) {
                        unknown.add(k);
                    }
                } else {
                    walkUnknown(e.getValue(), propSchema, k, unknown);
                }
            });
        }
        return unknown;
    }

    private static void walkUnknown(JsonNode value, JsonNode schema, String path, List<String> unknown) {
        if (schema == null || !schema.isObject() || schema.path("x-kubernetes-int-or-string").asBoolean(false)) {
            return;
        }
        if (value instanceof ObjectNode object) {
            boolean embedded = schema.path("x-kubernetes-embedded-resource").asBoolean(false);
            JsonNode props = schema.path("properties");
            JsonNode additional = schema.get("additionalProperties");
            object.properties().forEach(e -> {
                String k = e.getKey();
                String child = path + "." + k;
                JsonNode propSchema = props.get(k);
                if (propSchema != null) {
                    walkUnknown(e.getValue(), propSchema, child, unknown);
                } else if (additional != null && additional.isObject()) {
                    walkUnknown(e.getValue(), additional, child, unknown);
                } else if (additional != null && additional.asBoolean(false)) {
                    // additionalProperties: true keeps everything below
                } else if (embedded && (k.equals("apiVersion") || k.equals("kind") || k.equals("metadata"))) {
                    // embedded resources carry their own type and object meta
                } else if (!preserves(schema)) {
                    unknown.add(child);
                }
            });
        } else if (value instanceof ArrayNode array) {
            JsonNode items = schema.get("items");
            for (int i = 0; i < array.size(); i++) {
                walkUnknown(array.get(i), items, path + "[" + i + "]", unknown);
            }
        }
    }

    private static boolean preserves(JsonNode schema) {
        return schema.path(PRESERVE).asBoolean(false);
    }

    /**
     * The places where a v1 template's parameter schema is not structural: a node under {@code properties},
     * {@code items} or {@code additionalProperties} without a {@code type}, unless it preserves unknown fields or
     * is int-or-string. Paths use the CRD's notation so messages read like the API server's.
     */
    public static List<String> missingTypes(JsonNode schema, String path) {
        List<String> errors = new ArrayList<>();
        walkTypes(schema, path, false, errors);
        return errors;
    }

    private static void walkTypes(JsonNode schema, String path, boolean needsType, List<String> errors) {
        if (schema == null || !schema.isObject()) {
            return;
        }
        boolean exempt = preserves(schema) || schema.path("x-kubernetes-int-or-string").asBoolean(false);
        if (needsType && !exempt && JsonFields.text(schema.path("type")).isEmpty()) {
            errors.add(path + ".type: Required value: must not be empty for specified object fields");
        }
        schema.path("properties").properties().forEach(e ->
                walkTypes(e.getValue(), path + ".properties[" + e.getKey() + "]", true, errors));
        walkTypes(schema.get("items"), path + ".items", true, errors);
        JsonNode additional = schema.get("additionalProperties");
        if (additional != null && additional.isObject()) {
            walkTypes(additional, path + ".additionalProperties", true, errors);
        }
    }
}
