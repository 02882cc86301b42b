package io.portcullis.mutation.gatekeeper;

import io.portcullis.match.Match;
import io.portcullis.json.JsonFields;
import io.portcullis.mutation.error.MutationException;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Gatekeeper's {@code Assign}: sets the value at {@code location} to {@code parameters.assign.value}, to the
 * object's name or namespace ({@code fromMetadata}), or to what an external data Provider answers for the value
 * there ({@code externalData}: a {@link Placeholder} until the passes converge), subject to {@code pathTests}.
 *
 * @param value        the value to assign, or null when {@code fromMetadata} or {@code externalData} is used
 * @param fromMetadata {@code name} or {@code namespace}, or null
 * @param externalData the provider to ask, or null
 */
public record Assign(MutatorId id, List<ApplyTo> applyTo, Match match, Location location, PathTests pathTests,
                     JsonNode value, String fromMetadata, ExternalDataRef externalData) implements Mutator {

    public Assign(MutatorId id, List<ApplyTo> applyTo, Match match, Location location, PathTests pathTests,
                  JsonNode value, String fromMetadata) {
        this(id, applyTo, match, location, pathTests, value, fromMetadata, null);
    }

    @Override
    public boolean mutate(ObjectNode object) throws MutationException {
        return mutate(object, "");
    }

    @Override
    public boolean mutate(ObjectNode object, String username) throws MutationException {
        JsonNode assigned = value != null ? value
                : externalData != null ? placeholder(username).node() : metadataValue(object);
        return new PathWalker(location, pathTests, new PathWalker.Setter() {
            @Override
            public void set(ObjectNode parent, String key) throws MutationException {
                JsonNode incoming = externalData == null ? assigned : keyedFrom(parent.get(key), username);
                // Keeping an equal node avoids a no-op "replace" in the patch (e.g. 1000 read as int vs long).
                if (!JsonFields.deepEquals(parent.get(key), incoming)) {
                    parent.set(key, incoming.deepCopy());
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

    private Placeholder placeholder(String username) {
        return new Placeholder(externalData,
                externalData.dataSource() == ExternalDataRef.DataSource.USERNAME ? username : "");
    }

    /** As Gatekeeper's setter: a value already there (a string, or an earlier placeholder's key) becomes the key. */
    private JsonNode keyedFrom(JsonNode previous, String username) throws MutationException {
        Placeholder placeholder = placeholder(username);
        Placeholder earlier = Placeholder.of(previous);
        if (earlier != null) {
            placeholder = new Placeholder(externalData, earlier.valueAtLocation());
        } else if (previous != null && previous.isString()) {
            placeholder = new Placeholder(externalData, previous.stringValue());
        } else if (previous != null) {
            throw new MutationException("value assigned to external data placeholder is not a string, got " + previous);
        }
        return placeholder.node();
    }

    private JsonNode metadataValue(ObjectNode object) {
        String field = JsonFields.textOrNull(object.path("metadata"), fromMetadata);
        return JsonNodeFactory.instance.stringNode(field == null ? "" : field);
    }
}
