package io.portcullis.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class AuditMetricsTest {

    @Test
    void prometheusSeesGatekeepersAuditMetrics() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        AuditMetrics metrics = new AuditMetrics(registry);
        Instant start = Instant.parse("2025-03-01T10:00:00Z");
        metrics.runStarted(start);
        AuditReport report = new AuditReport("2025-03-01T10:00:00Z", start, start.plusSeconds(90), 10, 0, List.of(), 3,
                List.of(new AuditReport.ConstraintResult("K8sRequiredOwner", "a", "deny", 3, List.of()),
                        new AuditReport.ConstraintResult("K8sRequiredOwner", "b", "warn", 2, List.of()),
                        new AuditReport.ConstraintResult("K8sRequiredOwner", "c", "scoped", 1, List.of())));
        metrics.runFinished(report);

        String scrape = registry.scrape();
        assertThat(scrape)
                .contains("gatekeeper_violations{enforcement_action=\"deny\"} 3.0")
                .contains("gatekeeper_violations{enforcement_action=\"warn\"} 2.0")
                .contains("gatekeeper_violations{enforcement_action=\"scoped\"} 1.0")
                .contains("gatekeeper_violations{enforcement_action=\"dryrun\"} 0.0")
                .contains("gatekeeper_violations{enforcement_action=\"unrecognized\"} 0.0")
                .contains("gatekeeper_audit_last_run_time 1.7408232E9")
                .contains("gatekeeper_audit_last_run_end_time 1.74082329E9")
                .contains("gatekeeper_audit_duration_seconds_count 1")
                // 90 s: above the 1 min bucket, inside the 3 min one.
                .contains("gatekeeper_audit_duration_seconds_bucket{le=\"60.0\"} 0")
                .contains("gatekeeper_audit_duration_seconds_bucket{le=\"180.0\"} 1")
                .contains("gatekeeper_audit_duration_seconds_bucket{le=\"19200.0\"} 1");
    }
}
