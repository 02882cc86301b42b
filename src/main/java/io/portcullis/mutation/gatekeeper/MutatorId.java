package io.portcullis.mutation.gatekeeper;

import java.util.Comparator;

/**
 * A mutator's identity. Mutators are cluster-scoped and all in group {@code mutations.gatekeeper.sh}, so Gatekeeper's
 * (group, kind, namespace, name) order is (kind, name).
 */
public record MutatorId(String kind, String name) implements Comparable<MutatorId> {
    private static final Comparator<MutatorId> ORDER =
            Comparator.comparing(MutatorId::kind).thenComparing(MutatorId::name);

    @Override
    public int compareTo(MutatorId other) {
        return ORDER.compare(this, other);
    }

    @Override
    public String toString() {
        return kind + "/" + name;
    }
}
