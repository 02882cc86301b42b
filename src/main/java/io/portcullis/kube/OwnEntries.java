package io.portcullis.kube;

import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.portcullis.json.JsonFields;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * This replica's last {@code status.byPod} entry for each object of a controller that re-reads all its objects on
 * every event (mutators, ExpansionTemplates, the Config): an entry is handed to the {@link StatusWriter} only when
 * it differs from the one handed over before, so a rebuild caused by one object costs no requests for the others,
 * and our own status write coming back as an event writes nothing.
 */
final class OwnEntries {
    private final Cluster cluster;
    private final Map<String, ObjectNode> written = new ConcurrentHashMap<>();

    OwnEntries(Cluster cluster) {
        this.cluster = cluster;
    }

    /** The key {@link #retainOnly} takes for this object. */
    static String key(ResourceDefinitionContext context, JsonNode object) {
        return context.getGroup() + "/" + context.getKind() + " " + JsonFields.namespace(object) + "/"
                + JsonFields.name(object);
    }

    /** Merges the entry into the object's {@code status.byPod}, unless it is the entry last written there. */
    void write(ResourceDefinitionContext context, JsonNode object, ObjectNode entry) {
        ObjectNode before = written.put(key(context, object), entry);
        if (entry.equals(before)) {
            return;
        }
        String namespace = JsonFields.namespace(object);
        cluster.status().update(context, namespace.isEmpty() ? null : namespace, JsonFields.name(object),
                KubeJson.uid(object),
                status -> ByPod.merge(status, entry, cluster.livePods().get()));
    }

    /** Forgets the entries of objects that are gone (a re-created object has a new UID, so a new entry anyway). */
    void retainOnly(Set<String> keys) {
        written.keySet().retainAll(keys);
    }
}
