package io.portcullis.audit;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.concurrent.CancellationException;
import java.util.function.Consumer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Lists every object of a resource in pages of {@code chunkSize} ({@code limit} and {@code continue}, Gatekeeper's
 * --audit-chunk-size), handing each object on before the next page is fetched: at most one page is in memory.
 */
final class ClusterLister {
    private final KubernetesClient client;
    private final KubernetesSerialization serialization;
    private final int chunkSize;

    ClusterLister(KubernetesClient client, int chunkSize) {
        if (chunkSize < 1) {
            throw new IllegalArgumentException("the chunk size must be positive: " + chunkSize);
        }
        this.client = client;
        this.serialization = client.getKubernetesSerialization();
        this.chunkSize = chunkSize;
    }

    /**
     * Hands every object of the resource, with its apiVersion and kind set, to {@code each}; answers how many.
     *
     * @throws CancellationException when the thread is interrupted between pages (the run was cancelled)
     * @throws io.fabric8.kubernetes.client.KubernetesClientException when a page cannot be read
     */
    long forEach(ListedResource resource, Consumer<ObjectNode> each) {
        MixedOperation<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>> op =
                client.genericKubernetesResources(resource.context());
        long count = 0;
        String token = null;
        do {
            if (Thread.currentThread().isInterrupted()) {
                throw new CancellationException("audit cancelled while listing " + resource);
            }
            var options = new ListOptionsBuilder().withLimit((long) chunkSize).withContinue(token).build();
            GenericKubernetesResourceList page = resource.namespaced()
                    ? op.inAnyNamespace().list(options)
                    : op.list(options);
            for (GenericKubernetesResource item : page.getItems()) {
                each.accept(toJson(item, resource));
                count++;
            }
            token = page.getMetadata() == null ? null : page.getMetadata().getContinue();
        } while (token != null && !token.isEmpty());
        return count;
    }

    /** The object as JSON; list items of built-in kinds come without apiVersion and kind, so those are set here. */
    private ObjectNode toJson(GenericKubernetesResource item, ListedResource resource) {
        ObjectNode node = (ObjectNode) serialization.convertValue(item, JsonNode.class);
        if (!node.path("apiVersion").isString() || node.path("apiVersion").asString().isEmpty()) {
            node.put("apiVersion", resource.apiVersion());
        }
        if (!node.path("kind").isString() || node.path("kind").asString().isEmpty()) {
            node.put("kind", resource.kind());
        }
        return node;
    }
}
