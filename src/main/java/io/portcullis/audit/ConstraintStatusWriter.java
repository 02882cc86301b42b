package io.portcullis.audit;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.portcullis.constraint.Constraint;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CancellationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Writes audit results into the constraints: {@code status.auditTimestamp}, {@code status.totalViolations} and
 * {@code status.violations} (removed when there are none), as Gatekeeper's audit does. A JSON merge patch of the
 * status subresource touches only those fields, so {@code status.byPod} written by others stays. Conflicts,
 * throttling and server errors are retried with Gatekeeper's backoff (5 attempts, doubling from 1 s).
 */
public final class ConstraintStatusWriter {
    private static final Logger log = LoggerFactory.getLogger(ConstraintStatusWriter.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** HTTP codes worth another attempt; 0 is a failure without a response (connection reset, timeout). */
    private static final Set<Integer> RETRYABLE = Set.of(0, 409, 429, 500, 502, 503, 504);

    private final KubernetesClient client;
    private final Duration firstBackoff;
    private final int attempts;

    /** What was written: constraints updated, constraints gone meanwhile, and failures. */
    public record Outcome(int written, int missing, int failed) {
    }

    public ConstraintStatusWriter(KubernetesClient client) {
        this(client, Duration.ofSeconds(1), 5);
    }

    ConstraintStatusWriter(KubernetesClient client, Duration firstBackoff, int attempts) {
        this.client = client;
        this.firstBackoff = firstBackoff;
        this.attempts = attempts;
    }

    /** The constraints of a kind: cluster-scoped, in {@code constraints.gatekeeper.sh/v1beta1}, plural the lowercase kind. */
    public static ResourceDefinitionContext constraintContext(String kind) {
        return new ResourceDefinitionContext.Builder()
                .withGroup(Constraint.GROUP)
                .withVersion("v1beta1")
                .withKind(kind)
                .withPlural(kind.toLowerCase(Locale.ROOT))
                .withNamespaced(false)
                .build();
    }

    /** Writes every constraint's result; one that cannot be written is logged and does not stop the others. */
    public Outcome write(AuditReport report) {
        int written = 0;
        int missing = 0;
        int failed = 0;
        for (AuditReport.ConstraintResult result : report.constraints()) {
            if (Thread.currentThread().isInterrupted()) {
                throw new CancellationException("audit cancelled while writing constraint status");
            }
            switch (write(report.auditId(), result)) {
                case WRITTEN -> written++;
                case MISSING -> missing++;
                case FAILED -> failed++;
            }
        }
        log.info("audit {}: status written to {} constraints ({} gone, {} failed)", report.auditId(), written, missing,
                failed);
        return new Outcome(written, missing, failed);
    }

    private enum Written { WRITTEN, MISSING, FAILED }

    private Written write(String auditId, AuditReport.ConstraintResult result) {
        String patch = JSON.writeValueAsString(statusPatch(auditId, result));
        Duration backoff = firstBackoff;
        for (int attempt = 1; ; attempt++) {
            try {
                client.genericKubernetesResources(constraintContext(result.kind()))
                        .withName(result.name())
                        .subresource("status")
                        .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
                return Written.WRITTEN;
            } catch (KubernetesClientException e) {
                if (e.getCode() == 404) {
                    log.debug("constraint {}/{} is gone; its status is not written", result.kind(), result.name());
                    return Written.MISSING;
                }
                if (!RETRYABLE.contains(e.getCode()) || attempt >= attempts) {
                    log.error("writing the audit status of constraint {}/{} failed: {}", result.kind(), result.name(),
                            e.getMessage());
                    return Written.FAILED;
                }
            }
            sleep(backoff);
            backoff = backoff.multipliedBy(2);
        }
    }

    /** {@code {"status": {auditTimestamp, totalViolations, violations}}}; violations null removes the field. */
    static ObjectNode statusPatch(String auditId, AuditReport.ConstraintResult result) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        ObjectNode status = root.putObject("status");
        status.put("auditTimestamp", auditId);
        status.put("totalViolations", result.totalViolations());
        if (result.violations().isEmpty()) {
            status.putNull("violations");
        } else {
            var list = status.putArray("violations");
            result.violations().forEach(v -> list.add(v.toJson()));
        }
        return root;
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("audit cancelled while writing constraint status");
        }
    }
}
