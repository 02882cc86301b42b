package io.portcullis.constraint;

import io.portcullis.engine.CompiledPolicy;
import io.portcullis.engine.PolicyEvaluator;

/**
 * A template whose Rego compiled, with its constraint schema. Evaluators hold the data document inside their wasm
 * instances, so one is kept per inventory version, and only templates that read {@code data.inventory} ever need
 * a new one. Thread-safe.
 */
public final class CompiledTemplate {
    private final ConstraintTemplate template;
    private final CompiledPolicy policy;
    private final boolean usesInventory;
    private final ConstraintSchema schema;
    private volatile Loaded loaded;

    private record Loaded(long inventoryVersion, PolicyEvaluator evaluator) {
    }

    CompiledTemplate(ConstraintTemplate template, CompiledPolicy policy, boolean usesInventory) {
        this.template = template;
        this.policy = policy;
        this.usesInventory = usesInventory;
        this.schema = new ConstraintSchema(template.parameters());
    }

    public ConstraintTemplate template() {
        return template;
    }

    public CompiledPolicy policy() {
        return policy;
    }

    /** Whether the Rego reads {@code data.inventory} (and so must see inventory changes). */
    public boolean usesInventory() {
        return usesInventory;
    }

    public ConstraintSchema schema() {
        return schema;
    }

    /** An evaluator whose data is this inventory snapshot (or empty data, for templates that never read it). */
    PolicyEvaluator evaluator(Inventory.Snapshot snapshot) {
        long wanted = usesInventory ? snapshot.version() : -1;
        Loaded current = loaded;
        if (current != null && current.inventoryVersion() == wanted) {
            return current.evaluator();
        }
        synchronized (this) {
            current = loaded;
            if (current == null || current.inventoryVersion() != wanted) {
                PolicyEvaluator evaluator = policy.withData(usesInventory ? snapshot.data() : Inventory.EMPTY);
                current = new Loaded(wanted, evaluator);
                loaded = current;
            }
            return current.evaluator();
        }
    }
}
