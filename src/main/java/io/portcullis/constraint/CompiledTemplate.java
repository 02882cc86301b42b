package io.portcullis.constraint;

import io.portcullis.engine.CompiledPolicy;
import io.portcullis.engine.RegoModule;
import java.util.List;
import java.util.Set;

/**
 * A template whose Rego compiled, with its constraint schema, its own evaluation unit (its module under Gatekeeper's
 * hook) and what a group compile needs: its Rego modules and the packages they declare. Immutable.
 */
public final class CompiledTemplate {
    private final ConstraintTemplate template;
    private final CompiledPolicy policy;
    private final boolean usesInventory;
    private final ConstraintSchema schema;
    private final List<RegoModule> modules;
    private final List<List<String>> packagePaths;
    private final UnitCache units;

    CompiledTemplate(ConstraintTemplate template, CompiledPolicy policy, boolean usesInventory,
            List<RegoModule> modules, List<List<String>> packagePaths, UnitCache units) {
        this.template = template;
        this.policy = policy;
        this.usesInventory = usesInventory;
        this.schema = new ConstraintSchema(template.parameters());
        this.modules = List.copyOf(modules);
        this.packagePaths = packagePaths.stream().map(List::copyOf).toList();
        this.units = units;
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

    /** The template's Rego modules: the entry module first, then its libs (without the hook). */
    List<RegoModule> modules() {
        return modules;
    }

    /** The package of each module, in the order of {@link #modules()}. */
    List<List<String>> packagePaths() {
        return packagePaths;
    }

    /**
     * The template's own module under the hook: what runs it when no group does. Not held here: once the template
     * is grouped nothing refers to it and its parsed module goes.
     */
    EvaluationUnit unit() {
        return units.of(policy, Set.of(template.kind()), usesInventory);
    }
}
