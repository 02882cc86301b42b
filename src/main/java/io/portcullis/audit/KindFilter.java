package io.portcullis.audit;

import io.portcullis.expansion.ExpansionSystem;
import io.portcullis.expansion.ExpansionTemplate;
import io.portcullis.mutation.gatekeeper.ApplyTo;
import io.portcullis.constraint.Constraint;
import io.portcullis.match.Match;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Which kinds the audit needs to list: those some constraint's {@code spec.match.kinds} selects. A constraint
 * without kinds (or with an entry whose kinds are empty or {@code *}) selects every kind. Unlike Gatekeeper's
 * --audit-match-kind-only this keeps each entry's API groups with its kinds; an object the filter leaves out
 * could not match any constraint anyway, since match requires one entry to select both its group and its kind.
 */
record KindFilter(boolean everything, List<Match.KindSelector> selectors) {

    static KindFilter of(Collection<Constraint> constraints) {
        List<Match.KindSelector> selectors = new ArrayList<>();
        for (Constraint c : constraints) {
            if (c.match().kinds().isEmpty()) {
                return new KindFilter(true, List.of());
            }
            selectors.addAll(c.match().kinds());
        }
        return new KindFilter(false, List.copyOf(selectors));
    }

    /**
     * Also the kinds ExpansionTemplates expand (a Deployment, for constraints on Pods), when some constraint could
     * match what they expand into.
     */
    static KindFilter of(Collection<Constraint> constraints, ExpansionSystem expansion) {
        KindFilter filter = of(constraints);
        if (filter.everything || filter.selectors.isEmpty() || expansion.isEmpty()) {
            return filter;
        }
        List<Match.KindSelector> selectors = new ArrayList<>(filter.selectors);
        for (ExpansionTemplate template : expansion.templates()) {
            for (ApplyTo applyTo : template.applyTo()) {
                selectors.add(new Match.KindSelector(applyTo.groups(), applyTo.kinds()));
            }
        }
        return new KindFilter(false, List.copyOf(selectors));
    }

    /** Nothing to list: there is no constraint. */
    boolean isEmpty() {
        return !everything && selectors.isEmpty();
    }

    boolean matches(String group, String kind) {
        return everything || selectors.stream().anyMatch(s -> groupMatches(s, group) && kindMatches(s, kind));
    }

    /** Whether discovery has to look into this API group at all. */
    boolean mayMatchGroup(String group) {
        return everything || selectors.stream().anyMatch(s -> groupMatches(s, group));
    }

    private static boolean groupMatches(Match.KindSelector s, String group) {
        return s.apiGroups().isEmpty() || s.apiGroups().contains("*") || s.apiGroups().contains(group);
    }

    private static boolean kindMatches(Match.KindSelector s, String kind) {
        return s.kinds().isEmpty() || s.kinds().contains("*") || s.kinds().contains(kind);
    }
}
