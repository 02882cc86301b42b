/**
 * What Gatekeeper does with violations besides answering and writing status: {@code --log-denies} log lines and
 * Kubernetes Events for admission ({@link io.portcullis.events.AdmissionViolations}) and audit
 * ({@link io.portcullis.events.AuditViolationEvents}) violations, written off the hot path by
 * {@link io.portcullis.events.ClusterEventWriter}. Wired by {@link io.portcullis.events.ViolationReportingConfiguration}.
 */
package io.portcullis.events;
