package io.portcullis.policy;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.health.contributor.Health;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;

/**
 * Whether the server should receive admission traffic: not until the policy loader says every template is
 * compiled. Starts not ready; the server itself starts (and answers) regardless, only the readiness probe
 * reports DOWN, so Kubernetes keeps the pod out of the Service until then.
 *
 * <p>The readiness probe ({@code /actuator/health/readiness}, also {@code /readyz}) combines Spring Boot's
 * own readiness state with this one (health contributor {@code policies}). Marking also publishes an
 * {@link AvailabilityChangeEvent}, so Boot's readiness state follows after startup.
 */
@Component
public class Readiness {

    private static final Logger log = LoggerFactory.getLogger(Readiness.class);

    static final String INITIAL_REASON = ActivePolicies.NOT_LOADED;

    private final ApplicationEventPublisher events;
    private volatile String notReadyReason = INITIAL_REASON;

    public Readiness(ApplicationEventPublisher events) {
        this.events = events;
    }

    /** All policies are compiled: accept traffic. */
    public void markReady() {
        if (notReadyReason != null) {
            log.info("Ready: accepting admission traffic");
        }
        notReadyReason = null;
        AvailabilityChangeEvent.publish(events, this, ReadinessState.ACCEPTING_TRAFFIC);
    }

    /** Stop accepting traffic, e.g. while policies reload; the reason shows in the readiness probe's details. */
    public void markNotReady(String reason) {
        log.info("Not ready: {}", reason);
        notReadyReason = reason == null || reason.isBlank() ? "not ready" : reason;
        AvailabilityChangeEvent.publish(events, this, ReadinessState.REFUSING_TRAFFIC);
    }

    public boolean isReady() {
        return notReadyReason == null;
    }

    /** The readiness probe's contributor {@code policies}: OUT_OF_SERVICE with the reason until ready. */
    public Health health() {
        String reason = notReadyReason;
        return reason == null ? Health.up().build() : Health.outOfService().withDetail("reason", reason).build();
    }
}
