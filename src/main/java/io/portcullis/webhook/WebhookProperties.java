package io.portcullis.webhook;

import java.time.Duration;

import io.portcullis.admission.AdmissionLimits;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * {@code portcullis.webhook.*}: how admission requests are served.
 *
 * @param deadline         every request is answered within this time, counted from its arrival; a handler
 *                         still running then is interrupted and the answer is an error (allowed=false). Keep
 *                         it below the webhook configuration's timeoutSeconds (Gatekeeper ships 3 s for
 *                         validation, 1 s for mutation), or the API server gives up first and applies the
 *                         failurePolicy
 * @param maxRequestSize   larger bodies get HTTP 413 (see {@link AdmissionLimits} for the defaults' reasons)
 * @param maxNestingDepth  deeper JSON gets HTTP 400
 * @param maxStringLength  longer JSON strings get HTTP 400
 */
@ConfigurationProperties("portcullis.webhook")
public record WebhookProperties(
        @DefaultValue("3s") Duration deadline,
        @DefaultValue("16MB") DataSize maxRequestSize,
        @DefaultValue("1000") int maxNestingDepth,
        @DefaultValue("8MB") DataSize maxStringLength) {

    public WebhookProperties {
        if (deadline.isNegative() || deadline.isZero()) {
            throw new IllegalArgumentException("portcullis.webhook.deadline must be positive, got " + deadline);
        }
    }

    public AdmissionLimits limits() {
        return new AdmissionLimits(maxRequestSize.toBytes(), maxNestingDepth,
                Math.toIntExact(maxStringLength.toBytes()));
    }
}
