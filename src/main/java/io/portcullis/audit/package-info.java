/**
 * Audit: Gatekeeper's review of the objects already in the cluster ([GK] pkg/audit/manager.go).
 *
 * <p>Reading order: {@link io.portcullis.audit.AuditRun} reviews objects fed one at a time and keeps, per
 * constraint, the total and the first {@code violations-limit} {@link io.portcullis.audit.StatusViolation}s;
 * {@link io.portcullis.audit.ClusterAudit} feeds it from the API server (discovery of the kinds the constraints
 * match, lists in pages of {@code chunk-size}); {@link io.portcullis.audit.ConstraintStatusWriter} writes the
 * result into each constraint's status; {@link io.portcullis.audit.AuditManager} repeats this every
 * {@code interval} on the replica that holds the {@code portcullis-audit} Lease, and
 * {@link io.portcullis.audit.AuditMetrics} reports it under Gatekeeper's metric names.
 * {@link io.portcullis.audit.ManifestAudit} feeds a run from files instead, for {@code portcullis audit -f}.
 *
 * <p>Not implemented: {@code --audit-from-cache} and violation export. Audit Events
 * ({@code --emit-audit-events}) are {@link io.portcullis.events.AuditViolationEvents}, told of each violation.
 */
package io.portcullis.audit;
