package io.portcullis.audit;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.convert.DurationUnit;

/**
 * {@code portcullis.audit.*}: the audit of objects already in the cluster (only with
 * {@code portcullis.source=kubernetes}).
 *
 * @param enabled run the audit at all
 * @param interval time between runs, the first one interval after this replica becomes the leader
 *     (Gatekeeper's --audit-interval; a bare number is seconds; 0 disables the audit)
 * @param chunkSize objects per list request (--audit-chunk-size)
 * @param violationsLimit {@code status.violations} entries per constraint (--constraint-violations-limit)
 * @param leaseName the Lease in {@code portcullis.namespace} that picks the one replica that audits
 * @param leaseDuration how long a Lease not renewed stays with its holder
 * @param renewDeadline how long the leader keeps trying to renew before it gives up auditing
 * @param retryPeriod how often the Lease is tried and renewed
 */
@ConfigurationProperties("portcullis.audit")
public record AuditProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("60s") @DurationUnit(ChronoUnit.SECONDS) Duration interval,
        @DefaultValue("500") int chunkSize,
        @DefaultValue("20") int violationsLimit,
        @DefaultValue("portcullis-audit") String leaseName,
        @DefaultValue("15s") Duration leaseDuration,
        @DefaultValue("10s") Duration renewDeadline,
        @DefaultValue("2s") Duration retryPeriod) {

    public AuditProperties {
        if (interval.isNegative()) {
            throw new IllegalArgumentException("portcullis.audit.interval must not be negative: " + interval);
        }
        if (chunkSize < 1) {
            throw new IllegalArgumentException("portcullis.audit.chunk-size must be positive: " + chunkSize);
        }
        if (violationsLimit < 0) {
            throw new IllegalArgumentException("portcullis.audit.violations-limit must not be negative: " + violationsLimit);
        }
    }
}
