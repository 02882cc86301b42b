package io.portcullis.kube.write;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.CancellationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The one optimistic write loop of Portcullis, for constraint and template status, audit results, activeWorkloads
 * and finalizers: read the object, ask the {@link Edit} what to change, send that change as a JSON patch that
 * carries the resource version just read, and read again until the edit has nothing more to change. The API
 * server answers 409 when someone wrote in between; that, throttling, server errors and lost connections are
 * retried by the {@link Retry} rule on a fresh read. A write that would change nothing is not sent.
 */
public final class ObjectWriter {
    private static final Logger log = LoggerFactory.getLogger(ObjectWriter.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** HTTP codes worth another attempt; 0 is a failure without a response (connection reset, timeout). */
    private static final Set<Integer> RETRYABLE = Set.of(0, 409, 429, 500, 502, 503, 504);
    /** Changes one write may make in a row (a finalizer, the status, the finalizer again), so no edit loops. */
    private static final int MAX_CHANGES = 4;

    /** Where the object is. */
    public record Target(ResourceDefinitionContext context, String namespace, String name) {
        @Override
        public String toString() {
            return context.getKind() + " " + (namespace == null || namespace.isEmpty() ? "" : namespace + "/") + name;
        }
    }

    /**
     * One change: the whole {@code /status} (sent to the status subresource) or {@code /metadata/finalizers}.
     */
    public record Change(String path, JsonNode value) {
        public static Change status(JsonNode status) {
            return new Change("/status", status);
        }

        public static Change finalizers(Iterable<String> finalizers) {
            ArrayNode list = JsonNodeFactory.instance.arrayNode();
            finalizers.forEach(list::add);
            return new Change("/metadata/finalizers", list);
        }
    }

    /** Told the object as read; answers the next change, or null when the object is as it should be. */
    @FunctionalInterface
    public interface Edit {
        Change next(ObjectNode current);
    }

    /** Runs between reading an object and writing it (tests make conflicts there). */
    @FunctionalInterface
    public interface BeforeWrite {
        void run(Target target);
    }

    public enum Outcome { WRITTEN, UNCHANGED, GONE, FAILED }

    private final KubernetesClient client;
    private final Retry retry;
    private final BeforeWrite beforeWrite;
    private final AtomicLong writes = new AtomicLong();
    private final AtomicLong conflicts = new AtomicLong();

    public ObjectWriter(KubernetesClient client) {
        this(client, Retry.WRITE, target -> { });
    }

    public ObjectWriter(KubernetesClient client, Retry retry, BeforeWrite beforeWrite) {
        this.client = client;
        this.retry = retry;
        this.beforeWrite = beforeWrite;
    }

    /**
     * Brings the object to what the edit wants. A failure the rule gives up on is logged and answered FAILED.
     *
     * @throws CancellationException when interrupted while waiting to retry
     */
    public Outcome write(Target target, Edit edit) {
        int failures = 0;
        int changes = 0;
        while (true) {
            try {
                Resource<GenericKubernetesResource> resource = resource(target);
                GenericKubernetesResource found = resource.get();
                if (found == null) {
                    return changes > 0 ? Outcome.WRITTEN : Outcome.GONE;
                }
                ObjectNode current = (ObjectNode) JSON.readTree(client.getKubernetesSerialization().asJson(found));
                Change change = edit.next(current);
                if (change == null) {
                    return changes > 0 ? Outcome.WRITTEN : Outcome.UNCHANGED;
                }
                if (changes == MAX_CHANGES) {
                    log.warn("{}: still not as wanted after {} changes; the next event retries", target, changes);
                    return Outcome.FAILED;
                }
                beforeWrite.run(target);
                patch(target, found, current, change);
                writes.incrementAndGet();
                changes++;
            } catch (KubernetesClientException e) {
                if (e.getCode() == 404) {
                    return changes > 0 ? Outcome.WRITTEN : Outcome.GONE;
                }
                if (e.getCode() == 409) {
                    conflicts.incrementAndGet();
                }
                failures++;
                if (!RETRYABLE.contains(e.getCode()) || !retry.again(failures)) {
                    log.warn("cannot write {}: {}", target, e.getMessage());
                    return Outcome.FAILED;
                }
                log.debug("{}: {} (attempt {}); reading it again", target, e.getCode(), failures);
                sleep(retry.delay(failures).toMillis());
            }
        }
    }

    /** The value as it comes back from the server (through JSON text), so that equal numbers compare equal. */
    public static JsonNode normalized(JsonNode value) {
        return JSON.readTree(JSON.writeValueAsString(value));
    }

    /** Changes the API server accepted. */
    public long writes() {
        return writes.get();
    }

    /** Writes refused with 409 (someone wrote in between) and made again. */
    public long conflicts() {
        return conflicts.get();
    }

    private Resource<GenericKubernetesResource> resource(Target target) {
        var operation = client.genericKubernetesResources(target.context());
        return target.namespace() == null || target.namespace().isEmpty() ? operation.withName(target.name())
                : operation.inNamespace(target.namespace()).withName(target.name());
    }

    private void patch(Target target, GenericKubernetesResource found, ObjectNode current, Change change) {
        // A JSON patch that sets the resource version read: the API server refuses it with 409 when the object
        // changed meanwhile. (A merge patch would do on a real API server, but fabric8's mock appends arrays.)
        ArrayNode patch = JsonNodeFactory.instance.arrayNode();
        patch.addObject().put("op", "add").put("path", "/metadata/resourceVersion")
                .put("value", current.path("metadata").path("resourceVersion").asString(""));
        patch.addObject().put("op", "add").put("path", change.path()).set("value", change.value());
        var writer = client.genericKubernetesResources(target.context()).resource(found);
        String text = JSON.writeValueAsString(patch);
        if (change.path().equals("/status")) {
            writer.subresource("status").patch(PatchContext.of(PatchType.JSON), text);
        } else {
            writer.patch(PatchContext.of(PatchType.JSON), text);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted while waiting to write again");
        }
    }
}
