package io.portcullis.webhook;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.portcullis.admission.AdmissionHandler;
import io.portcullis.admission.AdmissionResponse;
import io.portcullis.admission.AdmissionReview;
import io.portcullis.admission.AdmissionReviewReader;
import io.portcullis.admission.AdmissionReviewWriter;
import io.portcullis.admission.InvalidAdmissionReviewException;
import io.portcullis.admission.ReviewIdentity;
import io.portcullis.policy.ActivePolicies;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.async.DeferredResult;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code POST /v1/admit} (validation), {@code POST /v1/mutate} (mutation) and {@code POST /v1/admitlabel}
 * (Gatekeeper's namespace-label check): parse the AdmissionReview, run
 * the webhook's handler under the deadline, answer in the review's version.
 *
 * <p>In order, before any handler runs:
 * <ol>
 * <li>Every handler thread busy and the queue full: refused (429) before the body is read.</li>
 * <li>The request's memory ({@link MemoryBudget}, {@link RequestCost}): reserved before the body is parsed, grown as
 *     it streams in; a request that does not fit is refused (429, or 413 when it would not fit even alone).</li>
 * <li>The deadline ({@link RequestDeadline}) counts from Tomcat's start of the request; a body still arriving when
 *     it passes is refused (408), and the handler gets what is left ({@link DeadlineRunner}).</li>
 * <li>No policies in force yet ({@link ActivePolicies#notInForce()}): HTTP 503 with a Kubernetes Status, so the
 *     webhook's failurePolicy decides as when the server is down; an empty policy set must not allow. Only a
 *     request its handler answers without policies (Portcullis's own service account, which installs the CRDs
 *     at start) goes on.</li>
 * </ol>
 * A refused review whose start names its apiVersion and uid, as the API server's always do, is answered like any
 * other: HTTP 200, {@code allowed: false} with that code. A body that is not a usable AdmissionReview gets HTTP 400
 * (413 when too large) with a Kubernetes Status object naming the problem: there is no uid to answer to, and the
 * API server treats it as a failed call (its failurePolicy decides). Everything else gets HTTP 200 with an
 * AdmissionReview, including handler failures and overruns, which become {@code allowed: false} so that they reject
 * the request rather than fall to a failurePolicy of Ignore.
 */
@RestController
public class AdmissionController {

    private static final Logger log = LoggerFactory.getLogger(AdmissionController.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final AdmissionReviewReader reader;
    private final AdmissionReviewWriter writer;
    private final DeadlineRunner runner;
    private final MemoryBudget budget;
    private final WebhookMetrics metrics;
    private final Duration deadline;
    private final WebhookHandlers handlers;
    private final ActivePolicies policies;

    public AdmissionController(AdmissionReviewReader reader, AdmissionReviewWriter writer, DeadlineRunner runner,
            MemoryBudget budget, WebhookMetrics metrics, WebhookProperties properties, WebhookHandlers handlers,
            ActivePolicies policies) {
        this.reader = reader;
        this.writer = writer;
        this.runner = runner;
        this.budget = budget;
        this.metrics = metrics;
        this.deadline = properties.deadline();
        this.handlers = handlers;
        this.policies = policies;
    }

    @PostMapping(path = "/v1/admit", produces = MediaType.APPLICATION_JSON_VALUE)
    public Object admit(HttpServletRequest http) throws IOException {
        return serve(Webhook.VALIDATION, handlers.validating(), http);
    }

    @PostMapping(path = "/v1/mutate", produces = MediaType.APPLICATION_JSON_VALUE)
    public Object mutate(HttpServletRequest http) throws IOException {
        return serve(Webhook.MUTATION, handlers.mutating(), http);
    }

    @PostMapping(path = "/v1/admitlabel", produces = MediaType.APPLICATION_JSON_VALUE)
    public Object admitLabel(HttpServletRequest http) throws IOException {
        return serve(Webhook.NAMESPACE_LABEL, handlers.namespaceLabel(), http);
    }

    /**
     * A {@code ResponseEntity} when the answer is known at once (refusals, bad input), else a future of it that
     * Spring MVC writes when the handler answers: the Tomcat thread goes back to its pool meanwhile. (Spring picks
     * the return value handler by the value's class.) A refusal is written at once, on this thread, so that it is
     * sent before the connection is closed on a body still arriving.
     */
    private Object serve(Webhook webhook, AdmissionHandler handler, HttpServletRequest http) throws IOException {
        RequestDeadline due = new RequestDeadline(RequestStart.of(http), deadline);
        try {
            CompletableFuture<ResponseEntity<byte[]>> answer = decide(webhook, handler, http, due);
            return answer.isDone() ? answer.join() : later(answer, due);
        } finally {
            // Answered early, the client may still be sending: let it finish (within the deadline) so that it reads
            // the answer. After a complete body this reads only its end. A body still arriving at the deadline is
            // not waited for: the connection closes after the answer.
            if (!RequestBody.discardRest(http.getInputStream(), due)) {
                CloseUndrained.mark(http);
            }
        }
    }

    /**
     * An answer still to come, given to Spring with a timeout past the request's deadline: Spring's own async timeout
     * (Tomcat's 30 s unless configured) would otherwise answer a 503 that is not an AdmissionReview whenever it is
     * shorter than the deadline. The future always completes by the deadline, so this timeout never fires.
     */
    private static DeferredResult<ResponseEntity<byte[]>> later(CompletableFuture<ResponseEntity<byte[]>> answer,
            RequestDeadline due) {
        long timeoutMillis = TimeUnit.NANOSECONDS.toMillis(Math.max(0, due.remainingNanos())) + 1000;
        DeferredResult<ResponseEntity<byte[]>> result = new DeferredResult<>(timeoutMillis);
        answer.whenComplete((response, failure) -> {
            if (failure != null) {
                result.setErrorResult(failure);
            } else {
                result.setResult(response);
            }
        });
        return result;
    }

    private CompletableFuture<ResponseEntity<byte[]>> decide(Webhook webhook, AdmissionHandler handler,
            HttpServletRequest http, RequestDeadline due) throws IOException {
        Optional<Refusal> full = runner.refusalWhenFull();
        if (full.isPresent()) {
            return done(refuse(webhook, http, full.get(), http.getInputStream()));
        }
        long declared = http.getContentLengthLong();
        // What the Content-Length costs at the least (one long string); RequestBody reserves more as the body's
        // shape shows. A body over the size limit is not parsed past its start.
        long upfront = RequestCost.of(declared > reader.limits().maxRequestBytes() ? 0 : Math.max(0, declared), 0);
        MemoryBudget.Reservation reservation = budget.tryReserve(upfront);
        if (reservation == null) {
            return done(refuse(webhook, http, budget.refusal(upfront), http.getInputStream()));
        }
        CompletableFuture<ResponseEntity<byte[]>> answer;
        try {
            answer = readAndRun(webhook, handler, http, due, reservation);
        } catch (IOException | RuntimeException e) {
            reservation.release();
            throw e;
        }
        // The review and its answer are in memory until the answer is written.
        answer.whenComplete((written, failure) -> reservation.release());
        return answer;
    }

    private CompletableFuture<ResponseEntity<byte[]>> readAndRun(Webhook webhook, AdmissionHandler handler, HttpServletRequest http,
            RequestDeadline due, MemoryBudget.Reservation reservation) throws IOException {
        RequestBody body = new RequestBody(http.getInputStream(), due, budget, reservation, http.getContentLengthLong());
        AdmissionReview review;
        try {
            review = reader.read(body, http.getContentLengthLong());
        } catch (InvalidAdmissionReviewException e) {
            if (body.refusal() != null) {
                return done(refuse(webhook, http, body.refusal(), body.start()));
            }
            log.warn("{}: rejected a request from {}: {}", webhook.path(), http.getRemoteAddr(), e.getMessage());
            if (e.identified()) {
                AdmissionResponse rejection = AdmissionResponse.errored(e.tooLarge() ? 413 : 400, e.getMessage());
                return done(ok(writer.write(e.version(), e.uid(), rejection)));
            }
            return done(status(e.tooLarge() ? new Refusal(413, "RequestEntityTooLarge", e.getMessage())
                    : new Refusal(400, "BadRequest", e.getMessage())));
        }
        Optional<String> notInForce = policies.notInForce();
        if (notInForce.isPresent() && !handler.needsNoPolicies(review.request())) {
            metrics.refused(webhook, 503);
            return done(status(new Refusal(503, "ServiceUnavailable", notInForce.get())));
        }
        // The handler may outlive the answer (an overrun it does not stop at once): it holds the memory until it ends.
        MemoryBudget.Reservation heldByHandler = reservation.retain();
        return runner.submit(webhook, handler, review.request(), due, heldByHandler::release)
                .thenApply(response -> answer(webhook, review, response, due));
    }

    private ResponseEntity<byte[]> answer(Webhook webhook, AdmissionReview review, AdmissionResponse response,
            RequestDeadline due) {
        byte[] answer = writer.write(review, response);
        Duration elapsed = Duration.ofNanos(System.nanoTime() - due.startNanos());
        metrics.record(webhook, review.request(), response, elapsed);
        if (log.isDebugEnabled()) {
            log.debug("{} uid={} op={} kind={} object={} allowed={} code={} patched={} ms={}", webhook.label(),
                    review.request().uid(), review.request().operation(), review.request().kind(),
                    review.request().describe(), response.allowed(), response.status().code(),
                    response.patch() != null, elapsed.toMillis());
        }
        return ok(answer);
    }

    /**
     * A review refused before it was read: rejected by its uid when the body's start names it, else an HTTP error.
     *
     * @param start the body's start, or all of it still unread
     */
    private ResponseEntity<byte[]> refuse(Webhook webhook, HttpServletRequest http, Refusal refusal, InputStream start) {
        metrics.refused(webhook, refusal.code());
        if (refusal.code() == 429) {
            log.debug("{}: refused a request from {}: {}", webhook.path(), http.getRemoteAddr(), refusal.message());
        } else {
            log.warn("{}: refused a request from {}: {}", webhook.path(), http.getRemoteAddr(), refusal.message());
        }
        Optional<ReviewIdentity> identity = reader.identify(start);
        if (identity.isEmpty()) {
            return status(refusal);
        }
        AdmissionResponse rejection = AdmissionResponse.errored(refusal.code(), refusal.message());
        return ok(writer.write(identity.get().version(), identity.get().uid(), rejection));
    }

    private static CompletableFuture<ResponseEntity<byte[]>> done(ResponseEntity<byte[]> answer) {
        return CompletableFuture.completedFuture(answer);
    }

    private static ResponseEntity<byte[]> ok(byte[] review) {
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(review);
    }

    /** A Kubernetes {@code Status} (kind Status, status Failure), the shape API clients expect for errors. */
    private static ResponseEntity<byte[]> status(Refusal refusal) {
        ObjectNode body = JSON.createObjectNode()
                .put("kind", "Status")
                .put("apiVersion", "v1")
                .put("status", "Failure")
                .put("message", refusal.message())
                .put("reason", refusal.reason())
                .put("code", refusal.code());
        return ResponseEntity.status(refusal.code()).contentType(MediaType.APPLICATION_JSON)
                .body(JSON.writeValueAsBytes(body));
    }
}
