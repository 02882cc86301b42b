package io.portcullis.mutation;

import io.portcullis.mutation.gatekeeper.MutatorId;
import io.portcullis.mutation.profiles.ProfileBinder.Bound;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;

/**
 * The outcome of mutating one object.
 *
 * @param object           the mutated object (the request's object itself when nothing changed)
 * @param patch            the RFC 6902 patch from the request's object to {@code object}; empty when unchanged
 * @param appliedMutators  the Gatekeeper mutators that set a value, in the order they first did
 * @param boundProfiles    the SPO profiles written by ProfileBindings
 * @param message          a short reason for the admission response, e.g. {@code Resource was not mutated}
 */
public record MutationResult(JsonNode object, ArrayNode patch, List<MutatorId> appliedMutators,
                             List<Bound> boundProfiles, String message) {
    public MutationResult {
        appliedMutators = List.copyOf(appliedMutators);
        boundProfiles = List.copyOf(boundProfiles);
    }

    public boolean changed() {
        return !patch.isEmpty();
    }
}
