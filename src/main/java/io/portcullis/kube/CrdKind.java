package io.portcullis.kube;

import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.portcullis.json.JsonFields;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import tools.jackson.databind.node.ObjectNode;

/**
 * A custom resource kind a controller reads: its CRD, and the versions our parsers take, preferred first.
 */
record CrdKind(String kind, String group, String plural, boolean namespaced, List<String> versions) {

    CrdKind {
        versions = List.copyOf(versions);
    }

    String crdName() {
        return plural + "." + group;
    }

    /**
     * Where to read the kind: at the CRD's storage version if we read it, else at the first version we read that it
     * serves. Empty, with the reason passed to {@code problem}, when the CRD is not installed or serves none of ours.
     */
    Optional<ResourceDefinitionContext> context(CrdInstaller crds, Consumer<String> problem) {
        ObjectNode crd = crds.get(crdName());
        String version = crd == null ? null : chooseVersion(crd);
        if (version == null) {
            problem.accept(crd == null ? "CRD " + crdName() + " is not installed"
                    : "CRD " + crdName() + " serves none of " + versions);
            return Optional.empty();
        }
        return Optional.of(KubeJson.context(group, version, kind, plural, namespaced));
    }

    private String chooseVersion(ObjectNode crd) {
        Set<String> served = CrdInstaller.servedVersions(crd);
        for (var version : crd.path("spec").path("versions")) {
            String name = JsonFields.text(version.get("name"));
            if (version.path("storage").asBoolean(false) && served.contains(name) && versions.contains(name)) {
                return name;
            }
        }
        return versions.stream().filter(served::contains).findFirst().orElse(null);
    }
}
