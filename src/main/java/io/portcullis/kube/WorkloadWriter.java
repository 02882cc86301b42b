package io.portcullis.kube;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.portcullis.mutation.JsonValues;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Brings one object's {@code status.activeWorkloads} and its finalizer to what the pods say. Every write carries the
 * resource version just read, so a write racing with another writer gets 409 and is made again on a fresh read.
 * The finalizer is added before the status lists anyone and removed after the list is empty, so an object that
 * lists pods is always protected. Nothing is sent when the object already agrees.
 */
final class WorkloadWriter {
    private static final Logger log = LoggerFactory.getLogger(WorkloadWriter.class);
    /** Up to three writes (finalizer, status, finalizer) plus retries after conflicts. */
    private static final int ROUNDS = 8;

    /** An object to keep up to date: where it is and which finalizer guards it. */
    record Target(ResourceDefinitionContext context, String namespace, String name, String finalizer) {
        @Override
        public String toString() {
            return context.getKind() + " " + (namespace == null || namespace.isEmpty() ? "" : namespace + "/") + name;
        }
    }

    /** Runs between reading an object and writing it (tests make conflicts there). */
    interface BeforeWrite {
        void run(Target target);
    }

    private final KubernetesClient client;
    private final KubeJson json;
    private final BeforeWrite beforeWrite;
    private final AtomicLong writes = new AtomicLong();
    private final AtomicLong conflicts = new AtomicLong();

    WorkloadWriter(KubernetesClient client, KubeJson json, BeforeWrite beforeWrite) {
        this.client = client;
        this.json = json;
        this.beforeWrite = beforeWrite;
    }

    /** Whether the object, as last seen, differs from what it should be. */
    static boolean differs(JsonNode object, String finalizer, List<String> workloads) {
        return !activeWorkloads(object).equals(workloads)
                || finalizers(object).contains(finalizer) == workloads.isEmpty();
    }

    /** Makes the object list exactly these pods (sorted) and carry the finalizer while the list is not empty. */
    void write(Target target, List<String> workloads) {
        for (int round = 1; round <= ROUNDS; round++) {
            var operation = client.genericKubernetesResources(target.context());
            Resource<GenericKubernetesResource> resource = target.namespace() == null || target.namespace().isEmpty()
                    ? operation.withName(target.name())
                    : operation.inNamespace(target.namespace()).withName(target.name());
            GenericKubernetesResource found = resource.get();
            if (found == null) {
                return;
            }
            ObjectNode current = json.tree(found, target.context());
            List<String> finalizers = finalizers(current);
            boolean deleting = current.path("metadata").hasNonNull("deletionTimestamp");
            ArrayNode patch = JsonNodeFactory.instance.arrayNode();
            patch.addObject().put("op", "add").put("path", "/metadata/resourceVersion")
                    .put("value", KubeJson.resourceVersion(current));
            boolean status = false;
            // The API server refuses new finalizers on an object being deleted: its status is still kept up to date.
            if (!workloads.isEmpty() && !finalizers.contains(target.finalizer()) && !deleting) {
                List<String> next = new ArrayList<>(finalizers);
                next.add(target.finalizer());
                setFinalizers(patch, next);
            } else if (!activeWorkloads(current).equals(workloads)) {
                ObjectNode next = current.path("status") instanceof ObjectNode s ? s.deepCopy()
                        : JsonNodeFactory.instance.objectNode();
                if (workloads.isEmpty()) {
                    next.remove("activeWorkloads");
                } else {
                    ArrayNode list = next.putArray("activeWorkloads");
                    workloads.forEach(list::add);
                }
                patch.addObject().put("op", "add").put("path", "/status").set("value", next);
                status = true;
            } else if (workloads.isEmpty() && finalizers.contains(target.finalizer())) {
                List<String> next = new ArrayList<>(finalizers);
                next.remove(target.finalizer());
                setFinalizers(patch, next);
            } else {
                return;
            }
            beforeWrite.run(target);
            try {
                var writer = client.genericKubernetesResources(target.context()).resource(found);
                String text = KubeJson.JSON.writeValueAsString(patch);
                if (status) {
                    writer.subresource("status").patch(PatchContext.of(PatchType.JSON), text);
                } else {
                    writer.patch(PatchContext.of(PatchType.JSON), text);
                }
                writes.incrementAndGet();
            } catch (KubernetesClientException e) {
                if (e.getCode() == 404) {
                    return;
                }
                if (e.getCode() != 409) {
                    throw e;
                }
                conflicts.incrementAndGet();
                log.debug("{} changed meanwhile; reading it again", target);
            }
        }
        log.warn("{}: gave up after {} conflicting writes; the next pod event retries", target, ROUNDS);
    }

    /** Writes sent that the API server accepted. */
    long writes() {
        return writes.get();
    }

    /** Writes refused with 409 and made again. */
    long conflicts() {
        return conflicts.get();
    }

    private static void setFinalizers(ArrayNode patch, List<String> finalizers) {
        ArrayNode value = patch.addObject().put("op", "add").put("path", "/metadata/finalizers").putArray("value");
        finalizers.forEach(value::add);
    }

    static List<String> activeWorkloads(JsonNode object) {
        return JsonValues.strings(object.path("status"), "activeWorkloads");
    }

    static List<String> finalizers(JsonNode object) {
        return JsonValues.strings(object.path("metadata"), "finalizers");
    }
}
