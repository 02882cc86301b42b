package io.portcullis.mutation.gatekeeper;

import io.portcullis.match.Match;
import io.portcullis.mutation.error.MutationException;
import java.util.List;
import tools.jackson.databind.node.ObjectNode;

/**
 * A Gatekeeper mutator ({@code mutations.gatekeeper.sh}): where it applies and how it changes an object. Build one
 * with {@link Mutators#parse}.
 */
public sealed interface Mutator permits Assign, AssignMetadata, ModifySet, AssignImage {

    MutatorId id();

    Match match();

    /** Empty for AssignMetadata, which applies to any kind its match selects. */
    List<ApplyTo> applyTo();

    Location location();

    /**
     * Applies the mutator to {@code object} in place; returns whether it set a value (possibly the same one).
     * The object's namespace must already be the request's namespace, as {@code fromMetadata} reads it.
     */
    boolean mutate(ObjectNode object) throws MutationException;

    /** The same, for a request by this user (an external data Assign may send the name as its key). */
    default boolean mutate(ObjectNode object, String username) throws MutationException {
        return mutate(object);
    }

    /** The type this mutator implies at the end of its location, for conflict detection. */
    default SchemaType terminalType() {
        return SchemaType.UNKNOWN;
    }

    /** Whether no other mutator may extend this one's location (its value is a string it rewrites). */
    default boolean mustTerminate() {
        return false;
    }

    /** Whether this mutator takes part in schema conflict detection (those with applyTo do). */
    default boolean hasSchema() {
        return !applyTo().isEmpty();
    }

    /** The types a location implies along its path. */
    enum SchemaType { UNKNOWN, OBJECT, LIST, SET, STRING }
}
