package io.portcullis.engine.builtins;

import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.node.StringNode;

/**
 * A Rego object with keys that are not strings ({@code {1: "a"}}). Jackson objects have string keys, so each
 * non-string key is stored under its Rego text ({@code "1"}), which is also what OPA's JSON serialisation does,
 * and remembered here so that the value prints and compares as OPA's. Objects with only string keys decode to
 * plain {@link ObjectNode}s.
 */
public final class RegoObjectNode extends ObjectNode {
    private final Map<String, JsonNode> nonStringKeys = new LinkedHashMap<>();

    public RegoObjectNode() {
        super(JsonNodeFactory.instance);
    }

    /**
     * Adds a member with any Rego value as its key.
     *
     * @throws IllegalArgumentException when the key's text collides with another key, e.g. 1 and "1"
     */
    public RegoObjectNode putKey(JsonNode key, JsonNode value) {
        String name = key.isString() ? key.stringValue() : RegoValues.toRegoText(key);
        JsonNode previous = keyOf(name);
        if (has(name) && !previous.equals(key)) {
            throw new IllegalArgumentException("object keys " + RegoValues.toRegoText(previous) + " and "
                    + RegoValues.toRegoText(key) + " both serialise as " + RegoValues.toRegoText(StringNode.valueOf(name))
                    + "; such an object is not supported");
        }
        if (!key.isString()) {
            nonStringKeys.put(name, key);
        }
        set(name, value);
        return this;
    }

    /** The Rego key stored under a property name: the original non-string key, or the name as a string. */
    public JsonNode keyOf(String propertyName) {
        JsonNode key = nonStringKeys.get(propertyName);
        return key != null ? key : StringNode.valueOf(propertyName);
    }

    @Override
    public RegoObjectNode deepCopy() {
        RegoObjectNode copy = new RegoObjectNode();
        for (Map.Entry<String, JsonNode> e : properties()) {
            copy.putKey(keyOf(e.getKey()).deepCopy(), e.getValue().deepCopy());
        }
        return copy;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RegoObjectNode other && nonStringKeys.equals(other.nonStringKeys) && super.equals(o);
    }

    @Override
    public int hashCode() {
        return super.hashCode();
    }
}
