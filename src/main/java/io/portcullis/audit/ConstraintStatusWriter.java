package io.portcullis.audit;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.portcullis.constraint.Constraint;
import io.portcullis.kube.write.ObjectWriter;
import io.portcullis.kube.write.Retry;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Writes audit results into the constraints: {@code status.auditTimestamp}, {@code status.totalViolations} and
 * {@code status.violations} (removed when there are none), as Gatekeeper's audit does. Each constraint is read and
 * its status written whole by the {@link ObjectWriter}, so {@code status.byPod} written by others stays, and a
 * write that crossed another is made again on the fresh object; conflicts, throttling and server errors are
 * retried with Gatekeeper's backoff ({@link Retry#WRITE}: 5 attempts, doubling from 1 s).
 */
public final class ConstraintStatusWriter {
    private static final Logger log = LoggerFactory.getLogger(ConstraintStatusWriter.class);

    private final ObjectWriter writer;

    /** What was written: constraints updated, constraints gone meanwhile, and failures. */
    public record Outcome(int written, int missing, int failed) {
    }

    public ConstraintStatusWriter(KubernetesClient client) {
        this.writer = new ObjectWriter(client);
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
            var target = new ObjectWriter.Target(constraintContext(result.kind()), null, result.name());
            switch (writer.write(target, current -> next(current, report.auditId(), result))) {
                case WRITTEN, UNCHANGED -> written++;
                case GONE -> missing++;
                case FAILED -> failed++;
            }
        }
        log.info("audit {}: status written to {} constraints ({} gone, {} failed)", report.auditId(), written, missing,
                failed);
        return new Outcome(written, missing, failed);
    }

    /** The constraint's status with this run's results, or null when it already has them. */
    static ObjectWriter.Change next(ObjectNode constraint, String auditId, AuditReport.ConstraintResult result) {
        ObjectNode status = constraint.path("status") instanceof ObjectNode s ? s.deepCopy()
                : JsonNodeFactory.instance.objectNode();
        status.put("auditTimestamp", auditId);
        status.put("totalViolations", result.totalViolations());
        if (result.violations().isEmpty()) {
            status.remove("violations");
        } else {
            var list = status.putArray("violations");
            result.violations().forEach(v -> list.add(v.toJson()));
        }
        JsonNode next = ObjectWriter.normalized(status);
        return next.equals(constraint.path("status")) ? null : ObjectWriter.Change.status(next);
    }
}
