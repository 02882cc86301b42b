package io.portcullis.engine.builtins;

import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * A Rego set. JSON has no sets, but Rego prints and compares them differently from arrays (sprintf("%v", {1})
 * is "{1}"), so values decoded from wasm keep sets apart from arrays. Serialised as JSON it is an array, as OPA
 * does. Elements keep the order they were added in; equality ignores that order, and a set never equals an array.
 */
public final class RegoSetNode extends ArrayNode {
    public RegoSetNode() {
        super(JsonNodeFactory.instance);
    }

    public RegoSetNode(List<JsonNode> elements) {
        super(JsonNodeFactory.instance, new ArrayList<>(elements));
    }

    @Override
    public RegoSetNode deepCopy() {
        RegoSetNode copy = new RegoSetNode();
        for (JsonNode element : this) {
            copy.add(element.deepCopy());
        }
        return copy;
    }

    @Override
    public boolean equals(Object o) {
        if (o == this) {
            return true;
        }
        if (!(o instanceof RegoSetNode other) || other.size() != size()) {
            return false;
        }
        List<JsonNode> unmatched = new ArrayList<>(other.valueStream().toList());
        for (JsonNode element : this) {
            if (!unmatched.remove(element)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int hash = 0x5e7;
        for (JsonNode element : this) {
            hash += element.hashCode();
        }
        return hash;
    }
}
