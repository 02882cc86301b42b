package io.portcullis.kube;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Writes objects Portcullis owns (CRDs) with server-side apply as field manager {@value #FIELD_MANAGER}, forcing
 * conflicts: these objects are ours, and every replica applies the same content. An API server that cannot apply
 * (fabric8's mock answers 404 or 415 to an apply patch; every real API server since 1.22 can) gets a create, or an
 * update of the existing object, instead.
 */
final class ServerSideApply {
    static final String FIELD_MANAGER = "portcullis";
    private static final Logger log = LoggerFactory.getLogger(ServerSideApply.class);

    private final KubernetesClient client;
    private final KubeJson json;
    private volatile boolean applyUnsupported;

    ServerSideApply(KubernetesClient client, KubeJson json) {
        this.client = client;
        this.json = json;
    }

    ObjectNode apply(ResourceDefinitionContext context, ObjectNode object) {
        GenericKubernetesResource resource = json.resource(object);
        Resource<GenericKubernetesResource> target = client.genericKubernetesResources(context).resource(resource);
        if (!applyUnsupported) {
            try {
                return json.tree(target.fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply(), context);
            } catch (KubernetesClientException e) {
                if (e.getCode() == 415) {
                    applyUnsupported = true;
                    log.warn("the API server does not take apply patches (HTTP 415); creating or updating objects instead");
                } else if (e.getCode() != 404) {
                    throw e;
                }
            }
        }
        GenericKubernetesResource existing = target.get();
        if (existing != null && sameContent(json.tree(existing, context), object)) {
            // What an apply of unchanged content does: nothing (an update would also reset the status in the mock).
            return json.tree(existing, context);
        }
        return json.tree(target.createOr(NonDeletingOperation::update), context);
    }

    private static boolean sameContent(ObjectNode existing, JsonNode given) {
        // Through JSON text, as the server's copy came, so that 63 read from YAML equals 63 read from JSON.
        JsonNode wanted = KubeJson.JSON.readTree(KubeJson.JSON.writeValueAsString(given));
        for (String field : new String[] {"labels", "annotations", "ownerReferences"}) {
            JsonNode want = wanted.path("metadata").get(field);
            if (want != null && !want.equals(existing.path("metadata").get(field))) {
                return false;
            }
        }
        return wanted.path("spec").equals(existing.path("spec"));
    }
}
