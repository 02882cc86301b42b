package io.portcullis.kube;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.dsl.Informable;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A fabric8 informer whose events reach a {@link Listener} as Jackson trees. It retries for ever when the API server
 * refuses to list or watch (a CRD not yet served, RBAC not yet granted), logging each failure; its {@code synced}
 * callback runs once the first list is in the store. Listeners and callback run on fabric8's threads: they only
 * hand work to their controller's {@link WorkQueue}.
 */
final class Informer {
    private static final Logger log = LoggerFactory.getLogger(Informer.class);

    /** Told each event, in order, on fabric8's event thread of the informer. */
    interface Listener {
        void upsert(ObjectNode object);

        void delete(ObjectNode object);
    }

    private final String what;
    private final SharedIndexInformer<GenericKubernetesResource> informer;
    private final ResourceDefinitionContext context;
    private final KubeJson json;
    private volatile boolean synced;

    private Informer(String what, SharedIndexInformer<GenericKubernetesResource> informer,
            ResourceDefinitionContext context, KubeJson json) {
        this.what = what;
        this.informer = informer;
        this.context = context;
        this.json = json;
    }

    /**
     * Creates and starts an informer. The listener and {@code synced} may run before this returns: a caller whose
     * callbacks read the returned informer (from a field, say) uses {@link #create} and {@link #run} instead.
     */
    static Informer start(String what, Informable<GenericKubernetesResource> source, ResourceDefinitionContext context,
            KubeJson json, Listener listener, Runnable synced) {
        return create(what, source, context, json, listener).run(synced);
    }

    /** An informer not started yet: no callback runs until {@link #run}, so the caller can keep it first. */
    static Informer create(String what, Informable<GenericKubernetesResource> source, ResourceDefinitionContext context,
            KubeJson json, Listener listener) {
        SharedIndexInformer<GenericKubernetesResource> informer = source.runnableInformer(0);
        Informer result = new Informer(what, informer, context, json);
        informer.addEventHandler(new ResourceEventHandler<GenericKubernetesResource>() {
            @Override
            public void onAdd(GenericKubernetesResource obj) {
                listener.upsert(json.tree(obj, context));
            }

            @Override
            public void onUpdate(GenericKubernetesResource oldObj, GenericKubernetesResource newObj) {
                listener.upsert(json.tree(newObj, context));
            }

            @Override
            public void onDelete(GenericKubernetesResource obj, boolean deletedFinalStateUnknown) {
                listener.delete(json.tree(obj, context));
            }
        });
        informer.exceptionHandler((started, failure) -> {
            log.warn("{}: {} (retrying)", what, failure.getMessage());
            return true;
        });
        return result;
    }

    /** Starts the informer; {@code synced} runs once its first list is in the store. */
    Informer run(Runnable synced) {
        informer.start().whenComplete((ignored, failure) -> {
            if (failure != null) {
                log.error("{}: the informer stopped: {}", what, failure.getMessage());
                return;
            }
            this.synced = true;
            synced.run();
        });
        return this;
    }

    /** True once the first list is in the store (set before the synced callback runs). */
    boolean synced() {
        return synced;
    }

    /** The objects in the store now. */
    List<ObjectNode> objects() {
        return informer.getStore().list().stream().map(o -> json.tree(o, context)).toList();
    }

    /** The names of the objects in the store now. */
    List<String> names() {
        return informer.getStore().list().stream().map(o -> o.getMetadata().getName()).toList();
    }

    /** The object in the store with this name (namespace empty for cluster-scoped objects), or null. */
    ObjectNode get(String namespace, String name) {
        String key = namespace == null || namespace.isEmpty() ? name : Cache.namespaceKeyFunc(namespace, name);
        GenericKubernetesResource found = informer.getStore().getByKey(key);
        return found == null ? null : json.tree(found, context);
    }

    ResourceDefinitionContext context() {
        return context;
    }

    void stop() {
        informer.stop();
    }

    @Override
    public String toString() {
        return what;
    }
}
