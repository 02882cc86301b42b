package io.portcullis.audit;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.portcullis.constraint.Inventory;
import java.util.HashMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * Namespaces for one audit run: read from the API server and remembered for the rest of the run, as
 * Gatekeeper's audit does. When the server cannot give one (deleted since the object was listed, or no right to
 * read Namespaces) the validator's synced copy is used; failing that the object is skipped.
 */
final class ClusterNamespaces implements NamespaceLookup {
    private static final ResourceDefinitionContext NAMESPACES = new ResourceDefinitionContext.Builder()
            .withGroup("").withVersion("v1").withKind("Namespace").withPlural("namespaces").withNamespaced(false).build();

    private final KubernetesClient client;
    private final Inventory inventory;
    /** A value of null records that the Namespace is unavailable, with the reason in {@link #reasons}. */
    private final Map<String, JsonNode> found = new HashMap<>();
    private final Map<String, String> reasons = new HashMap<>();

    ClusterNamespaces(KubernetesClient client, Inventory inventory) {
        this.client = client;
        this.inventory = inventory;
    }

    @Override
    public JsonNode find(String name) throws Unavailable {
        if (!found.containsKey(name)) {
            load(name);
        }
        JsonNode namespace = found.get(name);
        if (namespace == null) {
            throw new Unavailable(reasons.get(name));
        }
        return namespace;
    }

    private void load(String name) {
        String reason;
        try {
            GenericKubernetesResource ns = client.genericKubernetesResources(NAMESPACES).withName(name).get();
            if (ns != null) {
                JsonNode node = client.getKubernetesSerialization().convertValue(ns, JsonNode.class);
                found.put(name, node);
                return;
            }
            reason = "namespaces \"" + name + "\" not found";
        } catch (KubernetesClientException e) {
            reason = e.getMessage();
        }
        JsonNode synced = inventory.namespace(name);
        found.put(name, synced);
        if (synced == null) {
            reasons.put(name, reason);
        }
    }
}
