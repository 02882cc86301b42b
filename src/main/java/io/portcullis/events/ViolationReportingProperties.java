package io.portcullis.events;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code portcullis.violations.*}: Gatekeeper's {@code --log-denies}, {@code --emit-admission-events} and
 * {@code --emit-audit-events}, all off by default as in Gatekeeper.
 *
 * @param logDenies           a log line with Gatekeeper's fields for each violation an admission review finds
 * @param emitAdmissionEvents a Kubernetes Event for each such violation (cluster mode only)
 * @param emitAuditEvents     a Kubernetes Event for each violation the audit finds (cluster mode only)
 * @param admissionEventsInvolvedNamespace admission Events go into the reviewed object's namespace, about the
 *                            object itself ({@link EventPlacement}); Gatekeeper's
 *                            {@code --admission-events-involved-namespace}
 * @param auditEventsInvolvedNamespace the same for audit Events ({@code --audit-events-involved-namespace})
 * @param eventQueueCapacity  Events waiting to be written; beyond that they are dropped and counted
 *                            ({@code portcullis_events_dropped_total}), so the API server's pace never slows a
 *                            review
 */
@ConfigurationProperties("portcullis.violations")
public record ViolationReportingProperties(
        @DefaultValue("false") boolean logDenies,
        @DefaultValue("false") boolean emitAdmissionEvents,
        @DefaultValue("false") boolean emitAuditEvents,
        @DefaultValue("false") boolean admissionEventsInvolvedNamespace,
        @DefaultValue("false") boolean auditEventsInvolvedNamespace,
        @DefaultValue("1000") int eventQueueCapacity) {

    public ViolationReportingProperties {
        if (eventQueueCapacity < 1) {
            throw new IllegalArgumentException("portcullis.violations.event-queue-capacity must be positive: "
                    + eventQueueCapacity);
        }
    }
}
