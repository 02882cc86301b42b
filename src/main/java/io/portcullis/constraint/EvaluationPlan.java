package io.portcullis.constraint;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which unit evaluates each template: its own module, or a group module that evaluates it together with others
 * (one parse of the review for all of them). Immutable; built for one exact set of compiled templates.
 */
final class EvaluationPlan {
    private final Map<String, CompiledTemplate> templates;
    private final Map<String, EvaluationUnit> unitByKind;
    private final boolean prepared;

    private EvaluationPlan(Map<String, CompiledTemplate> templates, Map<String, EvaluationUnit> unitByKind,
            boolean prepared) {
        this.templates = templates;
        this.prepared = prepared;
        this.unitByKind = Collections.unmodifiableMap(new TreeMap<>(unitByKind));
    }

    /** Every template in its own unit: correct at once, without compiling anything. */
    static EvaluationPlan singles(Map<String, CompiledTemplate> templates) {
        Map<String, EvaluationUnit> units = new HashMap<>();
        templates.forEach((kind, t) -> {
            if (t.isRego()) {
                units.put(kind, t.unit());
            }
        });
        return new EvaluationPlan(templates, units, templates.size() < 2);
    }

    /** The given units for the templates they cover; every other template in its own unit. */
    static EvaluationPlan of(Map<String, CompiledTemplate> templates, List<EvaluationUnit> groups) {
        Map<String, EvaluationUnit> units = new HashMap<>();
        for (EvaluationUnit group : groups) {
            group.kinds().forEach(kind -> units.put(kind, group));
        }
        templates.forEach((kind, t) -> {
            if (t.isRego()) {
                units.computeIfAbsent(kind, k -> t.unit());
            }
        });
        return new EvaluationPlan(templates, units, true);
    }

    /** Whether this plan was built for exactly these template objects. */
    boolean isFor(Map<String, CompiledTemplate> current) {
        return templates == current;
    }

    /** Whether the templates were grouped ({@link Validator#prepare}); a plan of one template needs no grouping. */
    boolean isPrepared() {
        return prepared;
    }

    /** The unit that evaluates a Rego template (null for one the CEL driver runs). */
    EvaluationUnit unitOf(String kind) {
        return unitByKind.get(kind);
    }

    /** The distinct units, in a stable order. */
    List<EvaluationUnit> units() {
        return new ArrayList<>(new LinkedHashSet<>(unitByKind.values()));
    }

    /** How many templates are evaluated in a group of more than one, for logs and tests. */
    int groupedTemplates() {
        return (int) unitByKind.values().stream().filter(EvaluationUnit::isGroup).count();
    }
}
