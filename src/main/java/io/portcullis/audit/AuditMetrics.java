package io.portcullis.audit;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Gatekeeper's audit metrics under Gatekeeper's names ([GK] pkg/audit/stats_reporter.go):
 * <ul>
 *   <li>{@code gatekeeper_violations{enforcement_action}}: violations found by the last run, per action of the
 *       constraints (deny, dryrun, warn, scoped, unrecognized);</li>
 *   <li>{@code gatekeeper_audit_duration_seconds}: a histogram of run times, buckets 1 min to 320 min;</li>
 *   <li>{@code gatekeeper_audit_last_run_time}, {@code gatekeeper_audit_last_run_end_time}: when the last run
 *       started and ended, in Unix seconds.</li>
 * </ul>
 */
public final class AuditMetrics {
    private static final Duration[] BUCKETS = java.util.stream.IntStream.of(1, 3, 5, 10, 15, 20, 40, 80, 160, 320)
            .mapToObj(Duration::ofMinutes).toArray(Duration[]::new);

    private final Timer duration;
    private final AtomicLong lastRunStartMillis = new AtomicLong();
    private final AtomicLong lastRunEndMillis = new AtomicLong();
    private final Map<String, AtomicLong> violations = new LinkedHashMap<>();

    public AuditMetrics(MeterRegistry registry) {
        duration = Timer.builder("gatekeeper_audit_duration")
                .description("Latency of audit operation in seconds")
                .serviceLevelObjectives(BUCKETS)
                .register(registry);
        Gauge.builder("gatekeeper_audit_last_run_time", lastRunStartMillis, m -> m.get() / 1000.0)
                .description("Timestamp of last audit run starting time")
                .register(registry);
        Gauge.builder("gatekeeper_audit_last_run_end_time", lastRunEndMillis, m -> m.get() / 1000.0)
                .description("Timestamp of last audit run ending time")
                .register(registry);
        for (String action : AuditReport.ENFORCEMENT_ACTIONS) {
            AtomicLong count = new AtomicLong();
            violations.put(action, count);
            Gauge.builder("gatekeeper_violations", count, AtomicLong::get)
                    .description("Total number of audited violations")
                    .tag("enforcement_action", action)
                    .register(registry);
        }
    }

    public void runStarted(Instant started) {
        lastRunStartMillis.set(started.toEpochMilli());
    }

    public void runFinished(AuditReport report) {
        report.violationsByEnforcementAction().forEach((action, count) -> violations.get(action).set(count));
        duration.record(report.duration());
        lastRunEndMillis.set(report.finished().toEpochMilli());
    }
}
