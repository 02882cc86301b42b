package io.portcullis.mutation.gatekeeper;

import io.portcullis.match.MatchException;
import io.portcullis.match.Matcher;
import io.portcullis.json.JsonFields;
import io.portcullis.mutation.error.MutationException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A set of mutators applied the way Gatekeeper's mutation system applies them: in (kind, name) order, skipping
 * mutators with conflicting schemas, pass after pass until a pass changes nothing, at most one pass more than there
 * are mutators.
 */
public final class MutatorSystem {
    private final List<Mutator> ordered;
    private final Map<MutatorId, Set<MutatorId>> conflicts;
    /** The mutators that write external data placeholders: only after one of them applied is there any to resolve. */
    private final Set<MutatorId> writingPlaceholders;

    /** Later mutators with the same id replace earlier ones, as an update of the same object would. */
    public MutatorSystem(Collection<Mutator> mutators) {
        Map<MutatorId, Mutator> byId = new TreeMap<>();
        for (Mutator m : mutators) {
            byId.put(m.id(), m);
        }
        this.ordered = List.copyOf(byId.values());
        this.conflicts = Map.copyOf(SchemaConflicts.find(ordered));
        this.writingPlaceholders = ordered.stream()
                .filter(m -> m instanceof Assign assign && assign.externalData() != null)
                .map(Mutator::id)
                .collect(Collectors.toUnmodifiableSet());
    }

    public List<Mutator> mutators() {
        return ordered;
    }

    /**
     * Mutators skipped because of schema conflicts, each with the message Gatekeeper puts in its status
     * ({@code ErrConflictingSchema}).
     */
    public Map<MutatorId, String> conflicts() {
        Map<MutatorId, String> out = new TreeMap<>();
        conflicts.forEach((id, with) -> out.put(id, "the following mutators have conflicting schemas: " + with));
        return out;
    }

    /**
     * Mutates {@code object} in place.
     *
     * @param namespace the object's Namespace for the match, or null when it is cluster-scoped or unknown
     * @param source    where the object comes from, for the match's {@code source}
     * @param operation CREATE or UPDATE, or null outside an admission request
     * @return the mutators that set a value (Gatekeeper's "applied", which includes setting an equal value), in
     *         the order they first did
     * @throws MutationException a mutator failed, a match could not be decided, or the passes did not converge
     */
    public List<MutatorId> mutate(ObjectNode object, JsonNode namespace, Matcher.Source source, String operation)
            throws MutationException {
        return mutate(object, namespace, source, operation, "", ProviderCalls.NONE);
    }

    /**
     * The same for a request by {@code username}, with external data placeholders resolved by {@code calls} once the
     * passes have converged (one request per provider), as Gatekeeper's mutation system does.
     */
    public List<MutatorId> mutate(ObjectNode object, JsonNode namespace, Matcher.Source source, String operation,
            String username, ProviderCalls calls) throws MutationException {
        String kind = JsonFields.textOrNull(object, "kind");
        String group = JsonFields.group(object);
        String version = JsonFields.version(object);
        if (ordered.isEmpty()) {
            return List.of();
        }
        Set<MutatorId> applied = new LinkedHashSet<>();
        int maxPasses = ordered.size() + 1;
        for (int pass = 0; pass < maxPasses; pass++) {
            JsonNode before = object.deepCopy();
            boolean anyApplied = false;
            for (Mutator m : ordered) {
                if (conflicts.containsKey(m.id())
                        || !applies(m, object, group, version, kind, operation, namespace, source)) {
                    continue;
                }
                boolean mutated;
                try {
                    mutated = m.mutate(object, username);
                } catch (MutationException e) {
                    throw new MutationException("mutator " + m.id() + " failed for " + describe(group, kind, object)
                            + ": " + e.getMessage(), e);
                }
                if (mutated) {
                    anyApplied = true;
                    applied.add(m.id());
                }
            }
            if (!anyApplied || JsonFields.deepEquals(before, object)) {
                // Walking the whole object for placeholders costs on every mutation; most apply no external data.
                if (applied.stream().anyMatch(writingPlaceholders::contains)) {
                    ExternalDataResolver.resolve(object, calls);
                }
                return new ArrayList<>(applied);
            }
        }
        throw new MutationException("mutation not converging for " + describe(group, kind, object)
                + " after " + maxPasses + " passes");
    }

    private static String describe(String group, String kind, JsonNode object) {
        JsonNode metadata = object.path("metadata");
        String namespace = JsonFields.textOrNull(metadata, "namespace");
        String name = JsonFields.textOrNull(metadata, "name");
        return (group.isEmpty() ? "" : group + " ") + kind + " "
                + (namespace == null || namespace.isEmpty() ? "" : namespace + "/") + (name == null ? "" : name);
    }

    private static boolean applies(Mutator m, JsonNode object, String group, String version, String kind,
                                   String operation, JsonNode namespace, Matcher.Source source) throws MutationException {
        if (!m.applyTo().isEmpty() && m.applyTo().stream().noneMatch(a -> a.matches(group, version, kind, operation))) {
            return false;
        }
        try {
            return Matcher.matches(m.match(), object, namespace, source);
        } catch (MatchException e) {
            throw new MutationException("mutator " + m.id() + " failed to match: " + e.getMessage(), e);
        }
    }
}
