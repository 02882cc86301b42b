package io.portcullis.webhook;

import java.time.Duration;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.portcullis.admission.AdmissionRequest;
import io.portcullis.admission.AdmissionResponse;

/**
 * Gatekeeper's webhook metrics under Gatekeeper's names, so existing dashboards and alerts keep working.
 * Prometheus exposes them as {@code gatekeeper_validation_request_count_total},
 * {@code gatekeeper_validation_request_duration_seconds_bucket/_sum/_count} and the {@code mutation}
 * equivalents (Micrometer adds {@code _total} to counters and the {@code _seconds} unit to timers, as
 * Gatekeeper's OpenTelemetry exporter does).
 *
 * <p>Labels: validation {@code admission_status} = allow | deny | error, plus {@code admission_dryrun} on the
 * count; mutation {@code mutation_status} = success | error. A response that is not allowed counts as deny
 * only with code 403; every other rejection is an error (a handler failure, the deadline, an Errored answer).
 */
public final class WebhookMetrics {

    /** Gatekeeper's histogram boundaries in seconds: 1 ms steps to 10 ms, then coarser, up to 10 s. */
    private static final double[] BUCKETS = {0.001, 0.002, 0.003, 0.004, 0.005, 0.006, 0.007, 0.008, 0.009,
            0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9,
            1, 1.5, 2, 2.5, 3, 4, 5, 7.5, 10};

    private static final Duration[] SLOS = java.util.Arrays.stream(BUCKETS)
            .mapToObj(s -> Duration.ofNanos(Math.round(s * 1e9)))
            .toArray(Duration[]::new);

    private final MeterRegistry registry;

    public WebhookMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void record(Webhook webhook, AdmissionRequest request, AdmissionResponse response, Duration elapsed) {
        if (webhook == Webhook.VALIDATION) {
            String status = response.allowed() ? "allow" : response.status().code() == 403 ? "deny" : "error";
            Counter.builder("gatekeeper_validation_request_count")
                    .description("The number of requests that are routed to validation webhook")
                    .tag("admission_status", status)
                    .tag("admission_dryrun", Boolean.toString(request.dryRun()))
                    .register(registry)
                    .increment();
            timer("gatekeeper_validation_request_duration", "admission_status", status).record(elapsed);
        } else if (webhook == Webhook.MUTATION) {
            String status = response.allowed() ? "success" : "error";
            Counter.builder("gatekeeper_mutation_request_count")
                    .description("The number of requests that are routed to mutation webhook")
                    .tag("mutation_status", status)
                    .register(registry)
                    .increment();
            timer("gatekeeper_mutation_request_duration", "mutation_status", status).record(elapsed);
        }
    }

    /**
     * A request refused before its handler ran (no policies in force, memory budget, slow body), by HTTP code. Not
     * one of Gatekeeper's metrics: Gatekeeper has no such refusals.
     */
    public void refused(Webhook webhook, int code) {
        Counter.builder("portcullis_webhook_refused_requests")
                .description("Admission requests refused before their handler ran")
                .tag("webhook", webhook.label())
                .tag("code", Integer.toString(code))
                .register(registry)
                .increment();
    }

    private Timer timer(String name, String tag, String value) {
        return Timer.builder(name)
                .description("The response time in seconds")
                .tag(tag, value)
                .serviceLevelObjectives(SLOS)
                .register(registry);
    }
}
