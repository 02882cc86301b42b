package io.portcullis.kube;

import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.portcullis.constraint.Gvk;
import io.portcullis.json.JsonFields;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * Finds the resource (plural, scope) of a group, version and kind, to watch it: API discovery first; then the kinds
 * fabric8 knows; then the installed CRDs. (The last two answer where discovery is not served, as in fabric8's mock
 * server.)
 */
final class ResourceResolver {
    private final KubernetesClient client;
    private final KubeJson json;

    ResourceResolver(KubernetesClient client, KubeJson json) {
        this.client = client;
        this.json = json;
    }

    Optional<ResourceDefinitionContext> resolve(Gvk gvk) {
        try {
            APIResourceList list = client.getApiResources(gvk.groupVersion());
            if (list != null && list.getResources() != null) {
                for (APIResource resource : list.getResources()) {
                    if (gvk.kind().equals(resource.getKind()) && !resource.getName().contains("/")) {
                        return Optional.of(ResourceDefinitionContext.fromApiResource(gvk.groupVersion(), resource));
                    }
                }
            }
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                throw e;
            }
        }
        Class<? extends KubernetesResource> known = client.getKubernetesSerialization()
                .getRegisteredKubernetesResource(gvk.groupVersion(), gvk.kind());
        if (known != null && HasMetadata.class.isAssignableFrom(known)) {
            return Optional.of(ResourceDefinitionContext.fromResourceType(known));
        }
        return fromCrds(gvk);
    }

    private Optional<ResourceDefinitionContext> fromCrds(Gvk gvk) {
        for (var found : client.genericKubernetesResources(CrdInstaller.CRDS).list().getItems()) {
            JsonNode crd = json.tree(found, CrdInstaller.CRDS);
            JsonNode spec = crd.path("spec");
            if (gvk.group().equals(JsonFields.text(spec.get("group"))) && gvk.kind().equals(JsonFields.text(spec.path("names").get("kind")))
                    && CrdInstaller.servedVersions(crd).contains(gvk.version())) {
                return Optional.of(KubeJson.context(gvk.group(), gvk.version(), gvk.kind(),
                        JsonFields.text(spec.path("names").get("plural")), "Namespaced".equals(JsonFields.text(spec.get("scope")))));
            }
        }
        return Optional.empty();
    }
}
