package io.portcullis.mutation.gatekeeper;

import io.portcullis.mutation.gatekeeper.Location.Field;
import io.portcullis.mutation.gatekeeper.Location.ListEntry;
import io.portcullis.mutation.gatekeeper.Mutator.SchemaType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Finds mutators whose locations imply incompatible schemas for a kind they both apply to: a node that is an object
 * for one and a list for the other, a list keyed by different fields, or a location that extends one that must
 * end where it does (AssignImage's string). Gatekeeper skips all mutators in a conflict until it is resolved.
 */
final class SchemaConflicts {
    private SchemaConflicts() {
    }

    /** The type a location implies at one node of the tree, and for lists the key field. */
    private record Implied(SchemaType type, String keyField) {
        boolean conflictsWith(Implied other) {
            if (type == SchemaType.UNKNOWN || other.type == SchemaType.UNKNOWN) {
                return false;
            }
            return type != other.type || !Objects.equals(keyField, other.keyField);
        }
    }

    /** For each conflicting mutator, the sorted ids of every mutator in its conflicts (itself included). */
    static Map<MutatorId, Set<MutatorId>> find(List<Mutator> mutators) {
        List<Mutator> withSchema = mutators.stream().filter(Mutator::hasSchema).toList();
        Map<MutatorId, Set<MutatorId>> conflicts = new TreeMap<>();
        for (int i = 0; i < withSchema.size(); i++) {
            for (int j = i + 1; j < withSchema.size(); j++) {
                Mutator a = withSchema.get(i);
                Mutator b = withSchema.get(j);
                if (shareKind(a, b) && conflict(a, b)) {
                    conflicts.computeIfAbsent(a.id(), k -> new TreeSet<>(Set.of(k))).add(b.id());
                    conflicts.computeIfAbsent(b.id(), k -> new TreeSet<>(Set.of(k))).add(a.id());
                }
            }
        }
        return conflicts;
    }

    private static boolean shareKind(Mutator a, Mutator b) {
        Set<String> gvks = new HashSet<>(gvks(a));
        return gvks(b).stream().anyMatch(gvks::contains);
    }

    private static List<String> gvks(Mutator m) {
        List<String> out = new ArrayList<>();
        for (ApplyTo applyTo : m.applyTo()) {
            for (String g : applyTo.groups()) {
                for (String v : applyTo.versions()) {
                    for (String k : applyTo.kinds()) {
                        out.add(g + "/" + v + "/" + k);
                    }
                }
            }
        }
        return out;
    }

    private static boolean conflict(Mutator a, Mutator b) {
        List<Implied> ia = implied(a);
        List<Implied> ib = implied(b);
        Location la = a.location();
        Location lb = b.location();
        int shared = 0;
        // Walk the common part of the two paths; list elements all share one schema, whatever the key value.
        while (shared < la.size() && shared < lb.size() && sameTreeNode(la.node(shared), lb.node(shared))) {
            if (ia.get(shared).conflictsWith(ib.get(shared))) {
                return true;
            }
            shared++;
        }
        boolean aExtendsB = shared == lb.size() && la.size() > lb.size();
        boolean bExtendsA = shared == la.size() && lb.size() > la.size();
        return (aExtendsB && b.mustTerminate()) || (bExtendsA && a.mustTerminate());
    }

    private static boolean sameTreeNode(Location.Node x, Location.Node y) {
        if (x instanceof Field fx && y instanceof Field fy) {
            return fx.name().equals(fy.name());
        }
        return x instanceof ListEntry && y instanceof ListEntry;
    }

    /** The implied type of the value at each node of the mutator's location. */
    private static List<Implied> implied(Mutator m) {
        Location location = m.location();
        List<Implied> out = new ArrayList<>();
        for (int i = 0; i < location.size(); i++) {
            if (i == location.size() - 1) {
                out.add(new Implied(m.terminalType(), null));
            } else if (location.node(i + 1) instanceof ListEntry entry) {
                out.add(new Implied(SchemaType.LIST, entry.keyField()));
            } else {
                out.add(new Implied(SchemaType.OBJECT, null));
            }
        }
        return out;
    }
}
