package io.portcullis.kube;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.portcullis.kube.write.ObjectWriter;
import io.portcullis.kube.write.Retry;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import tools.jackson.databind.JsonNode;

/**
 * Writes status subresources on a work queue of its own, so that slow or failing writes never hold up loading
 * policies. Writes to one object that queue up collapse into the latest (the queue's key is the object); each is
 * made by the {@link ObjectWriter}, on the object as it is then, and an unchanged status is not written.
 */
final class StatusWriter implements AutoCloseable {
    private final ObjectWriter writer;
    private final WorkQueue queue = new WorkQueue("portcullis-kube-status", 2, Retry.CONTROLLER);

    StatusWriter(KubernetesClient client) {
        this.writer = new ObjectWriter(client);
    }

    /**
     * Queues a status edit of the object, which must still have this uid when the write happens (a deleted and
     * re-created object is not given the old one's status).
     *
     * @param edit gets a copy of the current status ({@code MissingNode} when there is none), answers the new one
     */
    void update(ResourceDefinitionContext context, String namespace, String name, String uid, UnaryOperator<JsonNode> edit) {
        var target = new ObjectWriter.Target(context, namespace, name);
        queue.submit(List.of(context.getGroup(), context.getPlural(), namespace == null ? "" : namespace, name),
                "status of " + target, () -> {
                    ObjectWriter.Outcome outcome = writer.write(target, current -> {
                        if (!uid.equals(KubeJson.uid(current))) {
                            return null;
                        }
                        JsonNode status = current.path("status");
                        JsonNode next = ObjectWriter.normalized(edit.apply(status.deepCopy()));
                        return next.equals(status) ? null : ObjectWriter.Change.status(next);
                    });
                    // The callers have already recorded the entry as written: a write given up on must be retried
                    // (the queue backs off; a newer edit of the object replaces it), or it would never be made.
                    if (outcome == ObjectWriter.Outcome.FAILED) {
                        throw new IllegalStateException("the status of " + target + " was not written");
                    }
                });
    }

    /** Waits until every queued write is done (tests; shutdown). */
    void flush() {
        queue.awaitIdle(Duration.ofSeconds(30));
    }

    @Override
    public void close() {
        queue.close();
    }
}
