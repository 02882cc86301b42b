package io.portcullis.engine.builtins;

import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * A Rego set. JSON has no sets, but Rego prints and compares them differently from arrays (sprintf("%v", {1})
 * is "{1}"), so values decoded from wasm keep sets apart from arrays. Serialised as JSON it is an array, as OPA
 * does.
 */
public final class RegoSetNode extends ArrayNode {
    public RegoSetNode() {
        super(JsonNodeFactory.instance);
    }
}
