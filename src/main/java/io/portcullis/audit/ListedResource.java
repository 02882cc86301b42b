package io.portcullis.audit;

import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

/**
 * A kind the audit lists, at its group's preferred version, as API discovery names it.
 *
 * @param group "" for the core group
 * @param plural the resource name, e.g. {@code pods}
 */
public record ListedResource(String group, String version, String kind, String plural, boolean namespaced) {

    public ResourceDefinitionContext context() {
        return new ResourceDefinitionContext.Builder()
                .withGroup(group)
                .withVersion(version)
                .withKind(kind)
                .withPlural(plural)
                .withNamespaced(namespaced)
                .build();
    }

    /** {@code group/version} or {@code v1}: the apiVersion of its objects. */
    public String apiVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    /** {@code pods}, {@code deployments.apps}: as kubectl names resources. */
    @Override
    public String toString() {
        return group.isEmpty() ? plural : plural + "." + group;
    }
}
