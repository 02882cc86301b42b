package io.portcullis.constraint;

import io.portcullis.json.JsonFields;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * A constraint's {@code spec.enforcementAction} and, for {@code scoped}, its {@code scopedEnforcementActions}.
 *
 * @param action deny (the default), dryrun, warn or scoped
 * @param scoped the per-enforcement-point actions; used only when action is scoped
 */
public record Enforcement(String action, List<ScopedAction> scoped) {
    public static final String DENY = "deny";
    public static final String DRYRUN = "dryrun";
    public static final String WARN = "warn";
    public static final String SCOPED = "scoped";
    private static final List<String> ACTIONS = List.of(DENY, DRYRUN, WARN, SCOPED);
    private static final List<String> SCOPED_ACTIONS = List.of(DENY, DRYRUN, WARN);

    public Enforcement {
        scoped = List.copyOf(scoped);
    }

    /** One {@code scopedEnforcementActions} entry: an action and the enforcement point names (or "*") it covers. */
    public record ScopedAction(String action, List<String> enforcementPoints) {
        public ScopedAction {
            enforcementPoints = List.copyOf(enforcementPoints);
        }
    }

    /**
     * Reads and validates the constraint spec's enforcement fields, with Gatekeeper's error texts. An absent or
     * empty {@code enforcementAction} is deny and is not validated further.
     */
    public static Enforcement parse(JsonNode spec) throws InvalidConstraintException {
        String action = JsonFields.text(spec.path("enforcementAction"));
        if (action.isEmpty()) {
            return new Enforcement(DENY, List.of());
        }
        if (!ACTIONS.contains(action)) {
            throw enforcementError("unrecognized enforcementAction: \"" + action
                    + "\" is not within the supported list [deny dryrun warn scoped]");
        }
        if (!action.equals(SCOPED)) {
            return new Enforcement(action, List.of());
        }
        JsonNode entries = spec.path("scopedEnforcementActions");
        if (!entries.isArray() || entries.isEmpty()) {
            throw enforcementError(
                    "error fetching scopedEnforcementActions: scopedEnforcementActions is required");
        }
        List<ScopedAction> scoped = new ArrayList<>();
        Set<String> badPoints = new LinkedHashSet<>();
        Set<String> badActions = new LinkedHashSet<>();
        for (JsonNode entry : entries) {
            String a = JsonFields.text(entry.path("action"));
            if (!SCOPED_ACTIONS.contains(a)) {
                badActions.add(a);
            }
            List<String> points = new ArrayList<>();
            for (JsonNode ep : entry.path("enforcementPoints")) {
                String name = JsonFields.text(ep.path("name"));
                if (!name.equals(EnforcementPoint.ALL) && EnforcementPoint.byId(name).isEmpty()) {
                    badPoints.add(name);
                }
                points.add(name);
            }
            if (points.isEmpty()) {
                throw enforcementError("enforcementPoints must be non-empty for scoped enforcement action \""
                        + a + "\"");
            }
            scoped.add(new ScopedAction(a, points));
        }
        if (!badPoints.isEmpty()) {
            throw enforcementError("unrecognized enforcement points: constraint will not be enforced for "
                    + "enforcement points " + goList(badPoints) + ", supported enforcement points are "
                    + goList(List.of(EnforcementPoint.ALL, EnforcementPoint.WEBHOOK.id(), EnforcementPoint.AUDIT.id(),
                            EnforcementPoint.GATOR.id(), EnforcementPoint.VAP.id())));
        }
        if (!badActions.isEmpty()) {
            throw enforcementError("unrecognized enforcementAction: " + goList(badActions)
                    + " is not within the supported list [deny dryrun warn]");
        }
        return new Enforcement(action, scoped);
    }

    private static InvalidConstraintException enforcementError(String message) {
        return new InvalidConstraintException(message, InvalidConstraintException.Reason.ENFORCEMENT_ACTION);
    }

    public boolean isScoped() {
        return action.equals(SCOPED);
    }

    /**
     * The actions at this enforcement point: the constraint's action, or for scoped constraints the union of the
     * actions whose points name it or "*". Empty means the constraint is not evaluated there at all.
     */
    public List<String> actionsAt(EnforcementPoint ep) {
        if (!isScoped()) {
            return List.of(action);
        }
        Set<String> actions = new LinkedHashSet<>();
        for (ScopedAction s : scoped) {
            if (s.enforcementPoints().contains(EnforcementPoint.ALL) || s.enforcementPoints().contains(ep.id())) {
                actions.add(s.action());
            }
        }
        return List.copyOf(actions);
    }

    private static String goList(Iterable<String> items) {
        return "[" + String.join(" ", items) + "]";
    }
}
