package io.portcullis.kube;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Writes status subresources on a thread of its own, so that slow or failing writes never hold up loading policies.
 * Each write reads the object, edits its status and sends a patch that carries the resource version it read:
 * if another replica wrote in between, the API server answers 409 and the edit is made again on the fresh object.
 * Writes to one object that queue up collapse into the latest; an unchanged status is not written.
 */
final class StatusWriter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StatusWriter.class);
    private static final int ATTEMPTS = 5;

    private record Key(String group, String plural, String namespace, String name) {
    }

    private record Update(ResourceDefinitionContext context, String namespace, String name, String uid,
            UnaryOperator<JsonNode> edit) {
    }

    private final KubernetesClient client;
    private final KubeJson json;
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "portcullis-kube-status");
        t.setDaemon(true);
        return t;
    });
    private final Map<Key, Update> pending = new LinkedHashMap<>();

    StatusWriter(KubernetesClient client, KubeJson json) {
        this.client = client;
        this.json = json;
    }

    /**
     * Queues a status edit of the object, which must still have this uid when the write happens (a deleted and
     * re-created object is not given the old one's status).
     *
     * @param edit gets a copy of the current status ({@code MissingNode} when there is none), answers the new one
     */
    void update(ResourceDefinitionContext context, String namespace, String name, String uid, UnaryOperator<JsonNode> edit) {
        Key key = new Key(context.getGroup(), context.getPlural(), namespace == null ? "" : namespace, name);
        boolean queued;
        synchronized (pending) {
            queued = pending.put(key, new Update(context, namespace, name, uid, edit)) != null;
        }
        if (!queued && !executor.isShutdown()) {
            executor.execute(() -> drain(key));
        }
    }

    /** Waits until every queued write is done (tests; shutdown). */
    void flush() {
        try {
            executor.submit(() -> { }).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("status writes did not finish", e);
        }
    }

    private void drain(Key key) {
        Update update;
        synchronized (pending) {
            update = pending.remove(key);
        }
        if (update == null) {
            return;
        }
        try {
            write(update);
        } catch (KubernetesClientException e) {
            log.warn("cannot write the status of {} {}: {}", update.context().getKind(), update.name(), e.getMessage());
        } catch (RuntimeException e) {
            log.error("cannot write the status of {} {}", update.context().getKind(), update.name(), e);
        }
    }

    private void write(Update update) {
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            var operation = client.genericKubernetesResources(update.context());
            Resource<GenericKubernetesResource> target = update.namespace() == null || update.namespace().isEmpty()
                    ? operation.withName(update.name())
                    : operation.inNamespace(update.namespace()).withName(update.name());
            GenericKubernetesResource found = target.get();
            if (found == null) {
                return;
            }
            ObjectNode current = json.tree(found, update.context());
            if (!update.uid().equals(KubeJson.uid(current))) {
                return;
            }
            JsonNode status = current.path("status");
            // Through JSON text, as the server's copy came, so that equal numbers compare equal.
            JsonNode next = KubeJson.JSON.readTree(KubeJson.JSON.writeValueAsString(update.edit().apply(status.deepCopy())));
            if (next.equals(status)) {
                return;
            }
            // A JSON patch that sets the resource version read: the API server refuses it with 409 when the object
            // changed meanwhile. (A merge patch would do on a real API server, but fabric8's mock appends arrays.)
            ArrayNode patch = JsonNodeFactory.instance.arrayNode();
            patch.addObject().put("op", "add").put("path", "/metadata/resourceVersion")
                    .put("value", KubeJson.resourceVersion(current));
            patch.addObject().put("op", "add").put("path", "/status").set("value", next);
            try {
                client.genericKubernetesResources(update.context()).resource(found).subresource("status")
                        .patch(PatchContext.of(PatchType.JSON), KubeJson.JSON.writeValueAsString(patch));
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() == 404) {
                    return;
                }
                if (e.getCode() != 409 || attempt == ATTEMPTS) {
                    throw e;
                }
                log.debug("status of {} {} changed meanwhile; writing again", update.context().getKind(), update.name());
            }
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
