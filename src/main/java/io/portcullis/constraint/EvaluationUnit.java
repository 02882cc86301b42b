package io.portcullis.constraint;

import io.portcullis.engine.CompiledPolicy;
import io.portcullis.engine.LoadedPolicy;
import io.portcullis.engine.PolicyEvaluator;
import java.util.Set;

/**
 * One wasm module that evaluates the constraints of one or more templates in a single query (see
 * {@link BatchHook}): a template's own module, or a group of templates compiled together so that a review is
 * parsed once for all of them. The module is parsed when the unit first evaluates, and stays so while the unit
 * lives: plans hold the units they use, {@link UnitCache} shares them. Thread-safe.
 */
final class EvaluationUnit {
    private final CompiledPolicy policy;
    private final Set<String> kinds;
    private final boolean usesInventory;
    private LoadedPolicy loaded;
    private volatile PolicyEvaluator withoutData;

    EvaluationUnit(CompiledPolicy policy, Set<String> kinds, boolean usesInventory) {
        this.policy = policy;
        this.kinds = Set.copyOf(kinds);
        this.usesInventory = usesInventory;
    }

    CompiledPolicy policy() {
        return policy;
    }

    /** The constraint kinds (templates) this unit evaluates. */
    Set<String> kinds() {
        return kinds;
    }

    boolean isGroup() {
        return kinds.size() > 1;
    }

    /** Whether a template of the unit reads {@code data.inventory}: then its instances hold an inventory snapshot. */
    boolean usesInventory() {
        return usesInventory;
    }

    /**
     * The module parsed and compiled to bytecode, on first use. Only evaluator creation calls it, never a review,
     * so a plain lock is enough.
     */
    synchronized LoadedPolicy loaded() {
        if (loaded == null) {
            loaded = policy.load();
        }
        return loaded;
    }

    /** Whether this unit has parsed its module (tests: a grouped template's own unit never should). */
    synchronized boolean isLoaded() {
        return loaded != null;
    }

    /** The evaluator with empty data, for units that never read data.inventory; created once. */
    PolicyEvaluator withoutData() {
        PolicyEvaluator evaluator = withoutData;
        if (evaluator == null) {
            synchronized (this) {
                evaluator = withoutData;
                if (evaluator == null) {
                    evaluator = loaded().withData(Inventory.EMPTY);
                    withoutData = evaluator;
                }
            }
        }
        return evaluator;
    }

    @Override
    public String toString() {
        return "unit" + kinds;
    }
}
