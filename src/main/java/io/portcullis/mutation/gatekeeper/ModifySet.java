package io.portcullis.mutation.gatekeeper;

import io.portcullis.match.Match;
import io.portcullis.json.JsonFields;
import io.portcullis.mutation.error.MutationException;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Gatekeeper's {@code ModifySet}: treats the list at {@code location} as a set of JSON values (deep equality) and
 * either appends the missing {@code values.fromList} at the end ({@code merge}) or removes them ({@code prune}).
 * A missing list is created by merge and left alone by prune; a pruned list may end up empty but stays.
 */
public record ModifySet(MutatorId id, List<ApplyTo> applyTo, Match match, Location location, PathTests pathTests,
                        Operation operation, List<JsonNode> values) implements Mutator {

    public enum Operation { MERGE, PRUNE }

    public ModifySet {
        values = List.copyOf(values);
    }

    @Override
    public SchemaType terminalType() {
        return SchemaType.SET;
    }

    @Override
    public boolean mutate(ObjectNode object) throws MutationException {
        return new PathWalker(location, pathTests, new PathWalker.Setter() {
            @Override
            public void set(ObjectNode parent, String key) throws MutationException {
                JsonNode current = parent.get(key);
                if (current == null) {
                    if (operation == Operation.MERGE) {
                        ArrayNode created = JsonNodeFactory.instance.arrayNode();
                        values.forEach(v -> created.add(v.deepCopy()));
                        parent.set(key, created);
                    }
                    return;
                }
                if (!(current instanceof ArrayNode list)) {
                    throw new MutationException(current + " is not a list of values, cannot treat it as a set");
                }
                if (operation == Operation.MERGE) {
                    for (JsonNode v : values) {
                        if (!contains(list, v)) {
                            list.add(v.deepCopy());
                        }
                    }
                } else {
                    for (int i = list.size() - 1; i >= 0; i--) {
                        if (contains(values, list.get(i))) {
                            list.remove(i);
                        }
                    }
                }
            }

            @Override
            public boolean keyedListOkay() {
                return false;
            }

            @Override
            public ObjectNode keyedListValue() {
                throw new IllegalStateException("ModifySet locations never end in a keyed list");
            }
        }).mutate(object);
    }

    private static boolean contains(Iterable<JsonNode> list, JsonNode value) {
        for (JsonNode item : list) {
            if (JsonFields.deepEquals(item, value)) {
                return true;
            }
        }
        return false;
    }
}
