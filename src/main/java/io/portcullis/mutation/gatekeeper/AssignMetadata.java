package io.portcullis.mutation.gatekeeper;

import io.portcullis.match.Match;
import io.portcullis.json.JsonFields;
import io.portcullis.mutation.error.MutationException;
import java.util.List;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Gatekeeper's {@code AssignMetadata}: adds a label or annotation ({@code metadata.labels.<key>} or
 * {@code metadata.annotations.<key>}) when it is absent. It never changes an existing key.
 *
 * @param value        the string to assign, or null when {@code fromMetadata} is used
 * @param fromMetadata {@code name} or {@code namespace}, or null when {@code value} is used
 */
public record AssignMetadata(MutatorId id, Match match, Location location, String value, String fromMetadata)
        implements Mutator {

    @Override
    public List<ApplyTo> applyTo() {
        return List.of();
    }

    @Override
    public boolean mutate(ObjectNode object) throws MutationException {
        String assigned = value != null ? value : JsonFields.textOrNull(object.path("metadata"), fromMetadata);
        String text = assigned == null ? "" : assigned;
        return new PathWalker(location, PathTests.single(location, PathTests.Condition.MustNotExist),
                new PathWalker.Setter() {
                    @Override
                    public void set(ObjectNode parent, String key) {
                        parent.set(key, JsonNodeFactory.instance.stringNode(text));
                    }

                    @Override
                    public boolean keyedListOkay() {
                        return false;
                    }

                    @Override
                    public ObjectNode keyedListValue() {
                        throw new IllegalStateException("AssignMetadata locations never end in a list");
                    }
                }).mutate(object);
    }
}
