package io.portcullis.webhook;

import java.time.Duration;

import io.portcullis.admission.AdmissionLimits;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * {@code portcullis.webhook.*}: how admission requests are served.
 *
 * @param deadline         every request is answered within this time, counted from when Tomcat starts reading it
 *                         (queueing and the body included); a handler still running then is interrupted and the
 *                         answer is an error (allowed=false). Keep it below the webhook configuration's
 *                         timeoutSeconds (Gatekeeper ships 3 s for validation, 1 s for mutation), or the API server
 *                         gives up first and applies the failurePolicy
 * @param maxRequestSize   larger bodies get HTTP 413 (see {@link AdmissionLimits} for the defaults' reasons)
 * @param maxNestingDepth  deeper JSON gets HTTP 400
 * @param maxStringLength  longer JSON strings get HTTP 400
 * @param memoryBudget     heap the requests in flight may need together, as a share of the maximum heap
 *                         ({@code 50%}) or a size ({@code 256MB}); a request that does not fit is refused with code
 *                         429 (413 when it would not fit even alone). See {@link RequestCost}
 * @param threads          handlers running at once; 0 means one per available processor
 * @param queueCapacity    requests waiting for a handler; beyond that they are refused at once with code 429
 */
@ConfigurationProperties("portcullis.webhook")
public record WebhookProperties(
        @DefaultValue("3s") Duration deadline,
        @DefaultValue("16MB") DataSize maxRequestSize,
        @DefaultValue("1000") int maxNestingDepth,
        @DefaultValue("8MB") DataSize maxStringLength,
        @DefaultValue("50%") String memoryBudget,
        @DefaultValue("0") int threads,
        @DefaultValue("64") int queueCapacity) {

    public WebhookProperties {
        if (deadline.isNegative() || deadline.isZero()) {
            throw new IllegalArgumentException("portcullis.webhook.deadline must be positive, got " + deadline);
        }
        if (threads < 0) {
            throw new IllegalArgumentException("portcullis.webhook.threads must be 0 (one per processor) or more, got "
                    + threads);
        }
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("portcullis.webhook.queue-capacity must be at least 1, got "
                    + queueCapacity);
        }
    }

    public AdmissionLimits limits() {
        return new AdmissionLimits(maxRequestSize.toBytes(), maxNestingDepth,
                Math.toIntExact(maxStringLength.toBytes()));
    }

    /** {@link #threads}, with 0 resolved to the processors the JVM sees (the container's CPU limit, if any). */
    public int handlerThreads() {
        return threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    }

    /** {@link #memoryBudget} resolved against this JVM's maximum heap. */
    public MemoryBudget budget() {
        return MemoryBudget.of(memoryBudget, Runtime.getRuntime().maxMemory());
    }
}
