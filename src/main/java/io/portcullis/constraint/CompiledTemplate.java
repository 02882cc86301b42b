package io.portcullis.constraint;

import io.portcullis.constraint.cel.CelTemplate;
import io.portcullis.engine.CompiledPolicy;
import io.portcullis.engine.RegoModule;
import java.util.List;
import java.util.Set;

/**
 * A template ready to evaluate, by the driver Gatekeeper would choose for it: either its CEL
 * ({@code K8sNativeValidation}, compiled), or its Rego with its own evaluation unit (its module under Gatekeeper's
 * hook) and what a group compile needs: its Rego modules and the packages they declare. Also its constraint
 * schema. Immutable.
 */
public final class CompiledTemplate {
    private final ConstraintTemplate template;
    private final CompiledPolicy policy;
    private final boolean usesInventory;
    private final ConstraintSchema schema;
    private final List<RegoModule> modules;
    private final List<List<String>> packagePaths;
    private final UnitCache units;
    private final CelTemplate cel;

    /** A template the CEL driver runs. */
    CompiledTemplate(ConstraintTemplate template, CelTemplate cel) {
        this.template = template;
        this.policy = null;
        this.usesInventory = false;
        this.schema = new ConstraintSchema(template.parameters());
        this.modules = List.of();
        this.packagePaths = List.of();
        this.units = null;
        this.cel = cel;
    }

    CompiledTemplate(ConstraintTemplate template, CompiledPolicy policy, boolean usesInventory,
            List<RegoModule> modules, List<List<String>> packagePaths, UnitCache units) {
        this.template = template;
        this.policy = policy;
        this.usesInventory = usesInventory;
        this.schema = new ConstraintSchema(template.parameters());
        this.modules = List.copyOf(modules);
        this.packagePaths = packagePaths.stream().map(List::copyOf).toList();
        this.units = units;
        this.cel = null;
    }

    /** The driver that runs the template: {@code K8sNativeValidation} or {@code Rego}, as Gatekeeper names them. */
    public String driver() {
        return cel != null ? Driver.CEL : Driver.REGO;
    }

    /** The compiled CEL when the CEL driver runs the template, else null. */
    public CelTemplate cel() {
        return cel;
    }

    /** Whether the Rego driver runs the template (it then has a policy and an evaluation unit). */
    boolean isRego() {
        return cel == null;
    }

    public ConstraintTemplate template() {
        return template;
    }

    /** The compiled Rego; null when the CEL driver runs the template. */
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
