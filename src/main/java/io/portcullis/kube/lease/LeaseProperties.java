package io.portcullis.kube.lease;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The Lease that picks the one replica doing the cluster-wide background work (the audit, activeWorkloads and SPO's
 * finalizers), under {@code portcullis.audit.*} where it has always been set (only with
 * {@code portcullis.source=kubernetes}); bound whether or not the audit runs.
 *
 * @param leaseName the Lease in {@code portcullis.namespace}
 * @param leaseDuration how long a Lease not renewed stays with its holder
 * @param renewDeadline how long the leader keeps trying to renew before it gives up leading
 * @param retryPeriod how often the Lease is tried and renewed
 */
@ConfigurationProperties("portcullis.audit")
public record LeaseProperties(
        @DefaultValue("portcullis-audit") String leaseName,
        @DefaultValue("15s") Duration leaseDuration,
        @DefaultValue("10s") Duration renewDeadline,
        @DefaultValue("2s") Duration retryPeriod) {
}
