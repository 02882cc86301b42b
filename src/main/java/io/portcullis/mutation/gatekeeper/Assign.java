package io.portcullis.mutation.gatekeeper;

import io.portcullis.match.Match;
import io.portcullis.json.JsonFields;
import io.portcullis.mutation.MutationException;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Gatekeeper's {@code Assign}: sets the value at {@code location} to {@code parameters.assign.value}, or to the
 * object's name or namespace ({@code fromMetadata}), subject to {@code pathTests}.
 *
 * @param value        the value to assign, or null when {@code fromMetadata} is used
 * @param fromMetadata {@code name} or {@code namespace}, or null when {@code value} is used
 */
public record Assign(MutatorId id, List<ApplyTo> applyTo, Match match, Location location, PathTests pathTests,
                     JsonNode value, String fromMetadata) implements Mutator {

    @Override
    public boolean mutate(ObjectNode object) throws MutationException {
        JsonNode assigned = value != null ? value : metadataValue(object);
        return new PathWalker(location, pathTests, new PathWalker.Setter() {
            @Override
            public void set(ObjectNode parent, String key) {
                // Keeping an equal node avoids a no-op "replace" in the patch (e.g. 1000 read as int vs long).
                if (!JsonFields.deepEquals(parent.get(key), assigned)) {
                    parent.set(key, assigned.deepCopy());
                }
            }

            @Override
            public boolean keyedListOkay() {
                return true;
            }

            @Override
            public ObjectNode keyedListValue() throws MutationException {
                if (!(assigned instanceof ObjectNode objectValue)) {
                    throw new MutationException("assign.value for keyed list mutator " + id + " is not an object");
                }
                return objectValue.deepCopy();
            }
        }).mutate(object);
    }

    private JsonNode metadataValue(ObjectNode object) {
        String field = JsonFields.textOrNull(object.path("metadata"), fromMetadata);
        return JsonNodeFactory.instance.stringNode(field == null ? "" : field);
    }
}
