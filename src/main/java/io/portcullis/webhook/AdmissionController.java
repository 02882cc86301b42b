package io.portcullis.webhook;

import java.io.IOException;
import java.time.Duration;

import io.portcullis.admission.AdmissionHandler;
import io.portcullis.admission.AdmissionResponse;
import io.portcullis.admission.AdmissionReview;
import io.portcullis.admission.AdmissionReviewReader;
import io.portcullis.admission.AdmissionReviewWriter;
import io.portcullis.admission.InvalidAdmissionReviewException;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code POST /v1/admit} (validation) and {@code POST /v1/mutate} (mutation): parse the AdmissionReview, run
 * the webhook's handler under the deadline, answer in the review's version.
 *
 * <p>A body that is not a usable AdmissionReview gets HTTP 400 (413 when too large) with a Kubernetes Status
 * object naming the problem: there is no uid to answer to, and the API server treats it as a failed call
 * (its failurePolicy decides). A review that is over a limit but named its apiVersion and uid before it, as the
 * API server's always do, is answered like any other: HTTP 200, {@code allowed: false} with code 413 or 400.
 * Everything else gets HTTP 200 with an AdmissionReview, including handler failures and overruns, which become
 * {@code allowed: false} so that they reject the request rather than fall to a failurePolicy of Ignore.
 */
@RestController
public class AdmissionController {

    private static final Logger log = LoggerFactory.getLogger(AdmissionController.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final AdmissionReviewReader reader;
    private final AdmissionReviewWriter writer;
    private final DeadlineRunner runner;
    private final WebhookMetrics metrics;
    private final Duration deadline;
    private final WebhookHandlers handlers;

    public AdmissionController(AdmissionReviewReader reader, AdmissionReviewWriter writer, DeadlineRunner runner,
            WebhookMetrics metrics, WebhookProperties properties, WebhookHandlers handlers) {
        this.reader = reader;
        this.writer = writer;
        this.runner = runner;
        this.metrics = metrics;
        this.deadline = properties.deadline();
        this.handlers = handlers;
    }

    @PostMapping(path = "/v1/admit", produces = MediaType.APPLICATION_JSON_VALUE)
    public ResponseEntity<byte[]> admit(HttpServletRequest http) throws IOException {
        return serve(Webhook.VALIDATION, handlers.validating(), http);
    }

    @PostMapping(path = "/v1/mutate", produces = MediaType.APPLICATION_JSON_VALUE)
    public ResponseEntity<byte[]> mutate(HttpServletRequest http) throws IOException {
        return serve(Webhook.MUTATION, handlers.mutating(), http);
    }

    private ResponseEntity<byte[]> serve(Webhook webhook, AdmissionHandler handler, HttpServletRequest http)
            throws IOException {
        long start = System.nanoTime();
        AdmissionReview review;
        try {
            review = reader.read(http.getInputStream(), http.getContentLengthLong());
        } catch (InvalidAdmissionReviewException e) {
            log.warn("{}: rejected a request from {}: {}", webhook.path(), http.getRemoteAddr(), e.getMessage());
            if (e.identified()) {
                AdmissionResponse rejection = AdmissionResponse.errored(e.tooLarge() ? 413 : 400, e.getMessage());
                return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON)
                        .body(writer.write(e.version(), e.uid(), rejection));
            }
            return badRequest(e);
        }
        Duration timeLeft = deadline.minusNanos(System.nanoTime() - start);
        AdmissionResponse response = runner.run(webhook, handler, review.request(), timeLeft, deadline);
        byte[] body = writer.write(review, response);
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        metrics.record(webhook, review.request(), response, elapsed);
        if (log.isDebugEnabled()) {
            log.debug("{} uid={} op={} kind={} object={} allowed={} code={} patched={} ms={}", webhook.label(),
                    review.request().uid(), review.request().operation(), review.request().kind(),
                    review.request().describe(), response.allowed(), response.status().code(),
                    response.patch() != null, elapsed.toMillis());
        }
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(body);
    }

    /** A Kubernetes {@code Status} (kind Status, status Failure), the shape API clients expect for errors. */
    private static ResponseEntity<byte[]> badRequest(InvalidAdmissionReviewException e) {
        HttpStatus status = e.tooLarge() ? HttpStatus.CONTENT_TOO_LARGE : HttpStatus.BAD_REQUEST;
        ObjectNode body = JSON.createObjectNode()
                .put("kind", "Status")
                .put("apiVersion", "v1")
                .put("status", "Failure")
                .put("message", e.getMessage())
                .put("reason", e.tooLarge() ? "RequestEntityTooLarge" : "BadRequest")
                .put("code", status.value());
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON)
                .body(JSON.writeValueAsBytes(body));
    }
}
