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
 *
 * <p>The Lease that picks the replica that audits is set here too ({@code lease-name}, ...), bound by
 * {@link io.portcullis.kube.lease.LeaseProperties}: workload tracking follows the same holder.
 */
@ConfigurationProperties("portcullis.audit")
public record AuditProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("60s") @DurationUnit(ChronoUnit.SECONDS) Duration interval,
        @DefaultValue("500") int chunkSize,
        @DefaultValue("20") int violationsLimit) {

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
