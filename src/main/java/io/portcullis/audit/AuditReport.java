package io.portcullis.audit;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * What one audit run found.
 *
 * @param auditId the run's start time in RFC 3339 (UTC, seconds): Gatekeeper's audit_id and every constraint's
 *     {@code status.auditTimestamp}
 * @param objectsReviewed objects reviewed against the constraints
 * @param objectsSkipped objects not reviewed: excluded for audit by Config, or whose Namespace could not be read
 * @param errors objects whose review failed, and kinds that could not be listed (one line each)
 * @param denyViolations violations whose action at the audit point includes deny (what {@code --fail-on-violations}
 *     fails on)
 * @param constraints every constraint loaded at the start of the run, violated or not, by kind then name
 */
public record AuditReport(String auditId, Instant started, Instant finished, long objectsReviewed,
        long objectsSkipped, List<String> errors, long denyViolations, List<ConstraintResult> constraints) {

    /** The enforcement actions Gatekeeper reports the violations gauge for. */
    public static final List<String> ENFORCEMENT_ACTIONS = List.of("deny", "dryrun", "warn", "scoped", "unrecognized");

    public AuditReport {
        errors = List.copyOf(errors);
        constraints = List.copyOf(constraints);
    }

    /**
     * One constraint's result: what its status gets.
     *
     * @param violations the kept entries, at most the violations limit, smallest first
     */
    public record ConstraintResult(String kind, String name, String enforcementAction, long totalViolations,
            List<StatusViolation> violations) {
        public ConstraintResult {
            violations = List.copyOf(violations);
        }
    }

    public Duration duration() {
        return Duration.between(started, finished);
    }

    public long totalViolations() {
        return constraints.stream().mapToLong(ConstraintResult::totalViolations).sum();
    }

    /**
     * Violations by the constraints' {@code enforcementAction}, every action of {@link #ENFORCEMENT_ACTIONS}
     * present (0 when none); an action Gatekeeper does not know counts as {@code unrecognized}.
     */
    public Map<String, Long> violationsByEnforcementAction() {
        Map<String, Long> out = new TreeMap<>();
        ENFORCEMENT_ACTIONS.forEach(a -> out.put(a, 0L));
        for (ConstraintResult c : constraints) {
            String action = ENFORCEMENT_ACTIONS.contains(c.enforcementAction()) ? c.enforcementAction() : "unrecognized";
            out.merge(action, c.totalViolations(), Long::sum);
        }
        return out;
    }

    /** The report as JSON: the summary, then each constraint with its status fields. */
    public ObjectNode toJson() {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("auditTimestamp", auditId);
        root.put("durationSeconds", duration().toMillis() / 1000.0);
        root.put("objectsReviewed", objectsReviewed);
        root.put("objectsSkipped", objectsSkipped);
        root.put("totalViolations", totalViolations());
        root.put("denyViolations", denyViolations);
        ObjectNode byAction = root.putObject("violationsByEnforcementAction");
        violationsByEnforcementAction().forEach(byAction::put);
        errors.forEach(root.putArray("errors")::add);
        var list = root.putArray("constraints");
        for (ConstraintResult c : constraints) {
            ObjectNode node = list.addObject();
            node.put("kind", c.kind());
            node.put("name", c.name());
            node.put("enforcementAction", c.enforcementAction());
            node.put("totalViolations", c.totalViolations());
            var violations = node.putArray("violations");
            c.violations().forEach(v -> violations.add(v.toJson()));
        }
        return root;
    }
}
