package io.portcullis.constraint;

import io.portcullis.engine.CompiledPolicy;
import io.portcullis.engine.PolicyEvaluator;
import java.util.function.Supplier;

/**
 * A template whose Rego compiled, with its constraint schema. Evaluators hold the data document inside their wasm
 * instances: templates that never read {@code data.inventory} share one evaluator without data; the others keep
 * one per inventory version of the client that loaded them. Thread-safe.
 */
public final class CompiledTemplate {
    private final ConstraintTemplate template;
    private final CompiledPolicy policy;
    private final boolean usesInventory;
    private final ConstraintSchema schema;
    private final Supplier<PolicyEvaluator> withoutData;
    private volatile Loaded loaded;

    private record Loaded(long inventoryVersion, PolicyEvaluator evaluator) {
    }

    CompiledTemplate(ConstraintTemplate template, CompiledPolicy policy, boolean usesInventory,
            Supplier<PolicyEvaluator> withoutData) {
        this.template = template;
        this.withoutData = withoutData;
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
        if (!usesInventory) {
            return withoutData.get();
        }
        long wanted = snapshot.version();
        Loaded current = loaded;
        if (current != null && current.inventoryVersion() == wanted) {
            return current.evaluator();
        }
        synchronized (this) {
            current = loaded;
            if (current == null || current.inventoryVersion() != wanted) {
                PolicyEvaluator evaluator = policy.withData(snapshot.data());
                current = new Loaded(wanted, evaluator);
                loaded = current;
            }
            return current.evaluator();
        }
    }
}
