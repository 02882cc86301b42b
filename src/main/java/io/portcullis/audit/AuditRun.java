package io.portcullis.audit;

import io.portcullis.expansion.ExpansionException;
import io.portcullis.expansion.ExpansionSystem;
import io.portcullis.expansion.ResultantReview;
import io.portcullis.mutation.gatekeeper.MutatorSystem;
import io.portcullis.constraint.Constraint;
import io.portcullis.constraint.EnforcementPoint;
import io.portcullis.constraint.GatekeeperConfig;
import io.portcullis.constraint.Gvk;
import io.portcullis.constraint.InvalidObjectException;
import io.portcullis.json.JsonFields;
import io.portcullis.constraint.Result;
import io.portcullis.constraint.Review;
import io.portcullis.constraint.ReviewException;
import io.portcullis.constraint.Validator;
import io.portcullis.match.Matcher;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * One audit run: objects are fed in one at a time ({@link #review}), each is reviewed as Gatekeeper's audit
 * reviews it, and only counts and the kept status entries stay in memory. Where the objects come from (the
 * cluster, files) is the caller's business.
 *
 * <p>A review is built from the bare object ({@link Review#ofObject}: no operation, no userInfo), with its
 * Namespace, at the audit enforcement point; objects in namespaces that Config excludes for the {@code audit}
 * process are skipped. Not thread-safe.
 */
public final class AuditRun {
    private static final Logger log = LoggerFactory.getLogger(AuditRun.class);
    private static final int ERRORS_KEPT = 100;

    private final String auditId;
    private final Instant started;
    private final Validator validator;
    private final GatekeeperConfig config;
    private final NamespaceLookup namespaces;
    private final int violationsLimit;
    private final Map<String, ConstraintTally> tallies = new TreeMap<>();
    private final List<String> errors = new ArrayList<>();
    private long reviewed;
    private long skipped;
    private long violations;
    private long denyViolations;
    private long moreErrors;
    private ViolationListener listener = ViolationListener.NONE;
    private ExpansionSystem expansion = ExpansionSystem.EMPTY;
    private MutatorSystem mutators = new MutatorSystem(List.of());

    /** Told of each violation as it is found (Gatekeeper's {@code --emit-audit-events}). Must not block. */
    @FunctionalInterface
    public interface ViolationListener {
        ViolationListener NONE = (auditId, result, object) -> { };

        void violation(String auditId, Result result, JsonNode object);
    }

    private record ConstraintTally(String kind, String name, String enforcementAction, ViolationTally tally) {
    }

    /**
     * @param validator the templates and constraints to audit against; constraints loaded now are reported even
     *     without violations
     * @param violationsLimit status entries kept per constraint
     */
    public AuditRun(Instant started, Validator validator, GatekeeperConfig config, NamespaceLookup namespaces,
            int violationsLimit) {
        this.auditId = auditId(started);
        this.started = started;
        this.validator = validator;
        this.config = config;
        this.namespaces = namespaces;
        this.violationsLimit = violationsLimit;
        for (Constraint c : validator.constraints()) {
            tally(c.kind(), c.name(), c.enforcement().action());
        }
        log.atInfo().addKeyValue("event_type", "audit_started").addKeyValue("audit_id", auditId)
                .log("auditing constraints");
    }

    /**
     * Also reviews what objects expand into (ExpansionTemplates), as Gatekeeper's audit does: the resultants'
     * violations count on the parent, prefixed {@code [Implied by TEMPLATE]}.
     */
    public AuditRun expandWith(ExpansionSystem templates, MutatorSystem generatedMutators) {
        this.expansion = templates;
        this.mutators = generatedMutators;
        return this;
    }

    /** Reports each violation found from now on to the listener as well. */
    public AuditRun reportTo(ViolationListener violations) {
        this.listener = violations;
        return this;
    }

    /** Gatekeeper's audit id: the start time in RFC 3339, UTC, whole seconds. */
    public static String auditId(Instant started) {
        return DateTimeFormatter.ISO_INSTANT.format(started.truncatedTo(ChronoUnit.SECONDS));
    }

    public String auditId() {
        return auditId;
    }

    /** Whether some constraint is loaded, i.e. whether reviewing anything can find a violation. */
    public boolean hasConstraints() {
        return !tallies.isEmpty();
    }

    /** Reviews one object (it must carry apiVersion and kind) and records its violations. */
    public void review(JsonNode object) {
        if (config.isExcluded(GatekeeperConfig.Process.AUDIT, object, null)) {
            skipped++;
            return;
        }
        JsonNode namespace;
        try {
            namespace = namespaces.forObject(object);
        } catch (NamespaceLookup.Unavailable e) {
            log.warn("skipping {} {}: unable to look up its namespace: {}", Gvk.of(object), JsonFields.describe(object),
                    e.getMessage());
            skipped++;
            return;
        }
        List<Result> results;
        try {
            results = validator.review(Review.ofObject(object, namespace, Matcher.Source.ORIGINAL), EnforcementPoint.AUDIT);
        } catch (InvalidObjectException | ReviewException | RuntimeException e) {
            // One object that cannot be reviewed must not cost the audit of all the others.
            error("reviewing " + Gvk.of(object) + " " + JsonFields.describe(object) + ": " + e.getMessage());
            return;
        }
        if (!expansion.isEmpty() && expansion.expands(Gvk.of(object))) {
            try {
                results = ResultantReview.withResultants(results, expansion.expand(object, namespace, mutators),
                        validator, namespace, "", EnforcementPoint.AUDIT, true);
            } catch (ExpansionException | InvalidObjectException | ReviewException | RuntimeException e) {
                // Gatekeeper's audit skips an object it cannot expand, its own violations included.
                error("expanding " + Gvk.of(object) + " " + JsonFields.describe(object) + ": " + e.getMessage());
                return;
            }
        }
        reviewed++;
        for (Result result : results) {
            violations++;
            if (result.isDeny()) {
                denyViolations++;
            }
            tally(result.constraintKind(), result.constraintName(), result.enforcementAction()).tally()
                    .add(StatusViolation.of(result, object));
            logViolation(result, object);
            listener.violation(auditId, result, object);
        }
    }

    /**
     * Records a failure that kept objects from being reviewed (a kind that could not be listed, ...). The report
     * keeps the first {@value #ERRORS_KEPT} and counts the rest, so a broken run cannot fill the memory.
     */
    public void error(String message) {
        log.error("audit {}: {}", auditId, message);
        if (errors.size() < ERRORS_KEPT) {
            errors.add(message);
        } else {
            moreErrors++;
        }
    }

    public long reviewed() {
        return reviewed;
    }

    public long violations() {
        return violations;
    }

    public AuditReport finish(Instant finished) {
        List<AuditReport.ConstraintResult> results = new ArrayList<>();
        for (ConstraintTally c : tallies.values()) {
            results.add(new AuditReport.ConstraintResult(c.kind(), c.name(), c.enforcementAction(), c.tally().total(),
                    c.tally().kept()));
            if (c.tally().total() > 0) {
                log.atInfo().addKeyValue("event_type", "constraint_audited").addKeyValue("audit_id", auditId)
                        .addKeyValue("constraint_kind", c.kind()).addKeyValue("constraint_name", c.name())
                        .addKeyValue("constraint_action", c.enforcementAction())
                        .addKeyValue("constraint_violations", c.tally().total())
                        .log("audit results for constraint");
            }
        }
        List<String> allErrors = new ArrayList<>(errors);
        if (moreErrors > 0) {
            allErrors.add("... and " + moreErrors + " more errors");
        }
        AuditReport report = new AuditReport(auditId, started, finished, reviewed, skipped, allErrors, denyViolations,
                results);
        log.atInfo().addKeyValue("event_type", "audit_finished").addKeyValue("audit_id", auditId)
                .addKeyValue("objects_reviewed", reviewed).addKeyValue("objects_skipped", skipped)
                .addKeyValue("total_violations", violations)
                .log("audit finished in {} ms: {} objects, {} violations", report.duration().toMillis(), reviewed,
                        violations);
        return report;
    }

    private ConstraintTally tally(String kind, String name, String enforcementAction) {
        return tallies.computeIfAbsent(kind + "/" + name,
                k -> new ConstraintTally(kind, name, enforcementAction, new ViolationTally(violationsLimit)));
    }

    /** Gatekeeper's violation_audited log line, keyed as Gatekeeper keys it. */
    private void logViolation(Result result, JsonNode object) {
        if (!log.isInfoEnabled()) {
            return;
        }
        Gvk resource = Gvk.of(object);
        Gvk constraint = Gvk.of(result.constraint());
        log.atInfo()
                .addKeyValue("process", "audit")
                .addKeyValue("audit_id", auditId)
                .addKeyValue("event_type", "violation_audited")
                .addKeyValue("constraint_group", constraint.group())
                .addKeyValue("constraint_api_version", constraint.version())
                .addKeyValue("constraint_kind", result.constraintKind())
                .addKeyValue("constraint_name", result.constraintName())
                .addKeyValue("constraint_action", result.enforcementAction())
                .addKeyValue("constraint_enforcement_actions", result.actions())
                .addKeyValue("resource_group", resource.group())
                .addKeyValue("resource_api_version", resource.version())
                .addKeyValue("resource_kind", resource.kind())
                .addKeyValue("resource_namespace", JsonFields.namespace(object))
                .addKeyValue("resource_name", JsonFields.name(object))
                .log(result.msg());
    }
}
