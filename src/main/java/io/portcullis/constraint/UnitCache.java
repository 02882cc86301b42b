package io.portcullis.constraint;

import io.portcullis.engine.CompiledPolicy;
import java.lang.ref.WeakReference;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The evaluation unit of each module, shared by every {@link Validator} that evaluates it (so are its warm
 * instances), and held only while one does: a unit keeps its module parsed and its instances, several MB each, and
 * the units that a plan stopped using (a template's own unit once it is grouped, a group after a template change)
 * must not stay on the heap. Thread-safe.
 */
final class UnitCache {
    private final Map<CompiledPolicy, WeakReference<EvaluationUnit>> units = new HashMap<>();

    /** The live unit of this module, or a new one (which loads nothing until it first evaluates). */
    synchronized EvaluationUnit of(CompiledPolicy policy, Set<String> kinds, boolean usesInventory) {
        WeakReference<EvaluationUnit> known = units.get(policy);
        EvaluationUnit unit = known == null ? null : known.get();
        if (unit == null) {
            units.values().removeIf(ref -> ref.get() == null);
            unit = new EvaluationUnit(policy, kinds, usesInventory);
            units.put(policy, new WeakReference<>(unit));
        }
        return unit;
    }
}
