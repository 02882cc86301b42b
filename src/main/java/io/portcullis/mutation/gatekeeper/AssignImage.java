package io.portcullis.mutation.gatekeeper;

import io.portcullis.match.Match;
import io.portcullis.mutation.error.MutationException;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Gatekeeper's {@code AssignImage}: replaces the domain, path and/or tag of the image string at {@code location}
 * (e.g. {@code spec.containers[name:*].image}) and keeps the parts it is not given.
 */
public record AssignImage(MutatorId id, List<ApplyTo> applyTo, Match match, Location location, PathTests pathTests,
                          String assignDomain, String assignPath, String assignTag) implements Mutator {

    @Override
    public SchemaType terminalType() {
        return SchemaType.STRING;
    }

    @Override
    public boolean mustTerminate() {
        return true;
    }

    @Override
    public boolean mutate(ObjectNode object) throws MutationException {
        return new PathWalker(location, pathTests, new PathWalker.Setter() {
            @Override
            public void set(ObjectNode parent, String key) throws MutationException {
                JsonNode current = parent.get(key);
                String image = "";
                if (current != null) {
                    if (!current.isString()) {
                        throw new MutationException("expected value at AssignImage location to be a string, got "
                                + current + " of type " + current.getNodeType().name().toLowerCase());
                    }
                    image = current.stringValue();
                }
                String mutated = ImageReference.parse(image).with(assignDomain, assignPath, assignTag).toString();
                if (!mutated.equals(image)) {
                    parent.set(key, JsonNodeFactory.instance.stringNode(mutated));
                }
            }

            @Override
            public boolean keyedListOkay() {
                return false;
            }

            @Override
            public ObjectNode keyedListValue() {
                throw new IllegalStateException("AssignImage locations never end in a list");
            }
        }).mutate(object);
    }
}
