package io.portcullis.constraint;

import io.portcullis.json.JsonFields;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The Namespace {@code gator test} matches an object of its files against ([GK] pkg/gator/expand/expand.go
 * NamespaceForResource). An object without {@code metadata.namespace} gets a Namespace without a name, not none:
 * it is in no namespace a constraint names ({@code namespaces: [default]} does not select it, {@code [*]} does),
 * and it counts as namespaced ({@code scope: Cluster} does not select it). An object in {@code default} gets a bare
 * {@code default} Namespace when the files hold none. Otherwise it is the Namespace among the files, or none.
 */
public final class GatorNamespaces {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private GatorNamespaces() {
    }

    /**
     * @param supplied the Namespace of that name among the inputs, or null
     * @return the Namespace to match the object with, or null for none
     */
    public static JsonNode of(JsonNode object, Function<String, JsonNode> supplied) {
        String name = JsonFields.namespace(object);
        if (name.isEmpty()) {
            return namespace(null);
        }
        JsonNode namespace = supplied.apply(name);
        if (namespace == null && name.equals("default")) {
            return namespace("default");
        }
        return namespace;
    }

    private static ObjectNode namespace(String name) {
        ObjectNode ns = NODES.objectNode().put("apiVersion", "v1").put("kind", "Namespace");
        ObjectNode metadata = ns.putObject("metadata");
        if (name != null) {
            metadata.put("name", name);
        }
        return ns;
    }
}
