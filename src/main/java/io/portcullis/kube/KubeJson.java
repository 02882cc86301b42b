package io.portcullis.kube;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.portcullis.json.JsonFields;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Moves objects between fabric8's {@link GenericKubernetesResource} and the Jackson trees the rest of Portcullis
 * reads, through JSON text, so nothing depends on how fabric8 maps unknown fields.
 */
final class KubeJson {
    static final JsonMapper JSON = JsonMapper.builder().build();

    private final KubernetesClient client;

    KubeJson(KubernetesClient client) {
        this.client = client;
    }

    /**
     * The object as a tree. List responses may leave out apiVersion and kind (built-in kinds do); they are filled
     * in from the resource watched, as the inventory and the parsers need them.
     */
    ObjectNode tree(GenericKubernetesResource resource, ResourceDefinitionContext from) {
        ObjectNode node = (ObjectNode) JSON.readTree(client.getKubernetesSerialization().asJson(resource));
        if (from != null) {
            if (JsonFields.text(node.get("apiVersion")).isEmpty()) {
                node.put("apiVersion", apiVersion(from));
            }
            if (JsonFields.text(node.get("kind")).isEmpty()) {
                node.put("kind", from.getKind());
            }
        }
        return node;
    }

    GenericKubernetesResource resource(JsonNode tree) {
        return client.getKubernetesSerialization().unmarshal(JSON.writeValueAsString(tree), GenericKubernetesResource.class);
    }

    static String apiVersion(ResourceDefinitionContext context) {
        String group = context.getGroup();
        return group == null || group.isEmpty() ? context.getVersion() : group + "/" + context.getVersion();
    }

    static String uid(JsonNode object) {
        return JsonFields.text(object.path("metadata").path("uid"));
    }

    static long generation(JsonNode object) {
        return object.path("metadata").path("generation").asLong(0);
    }

    static String resourceVersion(JsonNode object) {
        return JsonFields.text(object.path("metadata").path("resourceVersion"));
    }

    /** Whether a CRD reports condition Established=True. */
    static boolean isEstablished(JsonNode crd) {
        for (JsonNode condition : crd.path("status").path("conditions")) {
            if ("Established".equals(JsonFields.text(condition.get("type"))) && "True".equals(JsonFields.text(condition.get("status")))) {
                return true;
            }
        }
        return false;
    }

    static ResourceDefinitionContext context(String group, String version, String kind, String plural, boolean namespaced) {
        return new ResourceDefinitionContext.Builder().withGroup(group).withVersion(version).withKind(kind)
                .withPlural(plural).withNamespaced(namespaced).build();
    }
}
