package io.portcullis.mutation.gatekeeper;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.POJONode;

/**
 * Gatekeeper's ExternalDataPlaceholder: what an external data mutator puts at its location while the passes run.
 * It stands in the object as a POJO node, equal to another for the same reference and key, so the passes converge
 * as Gatekeeper's do; {@link ExternalDataResolver} replaces every one of them once they have.
 *
 * @param valueAtLocation the key to send: the string that was at the location (or the user's name)
 */
record Placeholder(ExternalDataRef ref, String valueAtLocation) {

    JsonNode node() {
        return JsonNodeFactory.instance.pojoNode(this);
    }

    static Placeholder of(JsonNode node) {
        return node instanceof POJONode pojo && pojo.getPojo() instanceof Placeholder p ? p : null;
    }
}
