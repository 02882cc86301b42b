package io.portcullis.audit;

import io.fabric8.kubernetes.api.model.APIGroup;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The kinds to audit, from API discovery as Gatekeeper's audit finds them (ServerPreferredResources): each
 * group at its preferred version, only resources that support {@code list} (which drops subresources such as
 * {@code pods/status}), each group and kind once.
 */
final class ResourceDiscovery {
    private final KubernetesClient client;

    ResourceDiscovery(KubernetesClient client) {
        this.client = client;
    }

    /**
     * The listable resources whose kind the filter selects. A group whose discovery fails (an orphaned
     * APIService, say) is reported to {@code errors} and skipped, as Gatekeeper does; failing to read the core
     * group or the group list fails the whole run.
     *
     * @throws KubernetesClientException when the core group or the list of groups cannot be read
     */
    List<ListedResource> resources(KindFilter filter, Consumer<String> errors) {
        Map<String, ListedResource> found = new LinkedHashMap<>();
        if (filter.isEmpty()) {
            return List.of();
        }
        if (filter.mayMatchGroup("")) {
            collect("", "v1", client.getApiResources("v1"), filter, found);
        }
        if (filter.everything() || filter.selectors().stream().anyMatch(s -> !onlyCore(s.apiGroups()))) {
            for (APIGroup group : client.getApiGroups().getGroups()) {
                String name = group.getName();
                if (name == null || name.isEmpty() || !filter.mayMatchGroup(name) || group.getPreferredVersion() == null) {
                    continue;
                }
                String groupVersion = group.getPreferredVersion().getGroupVersion();
                try {
                    collect(name, group.getPreferredVersion().getVersion(), client.getApiResources(groupVersion), filter,
                            found);
                } catch (KubernetesClientException e) {
                    errors.accept("discovery of " + groupVersion + " failed, its kinds are not audited: " + e.getMessage());
                }
            }
        }
        return new ArrayList<>(found.values());
    }

    private static boolean onlyCore(List<String> apiGroups) {
        return apiGroups.size() == 1 && apiGroups.getFirst().isEmpty();
    }

    private static void collect(String group, String version, APIResourceList list, KindFilter filter,
            Map<String, ListedResource> found) {
        if (list == null || list.getResources() == null) {
            return;
        }
        for (APIResource r : list.getResources()) {
            String kind = r.getKind();
            if (r.getName() == null || r.getName().contains("/") || kind == null
                    || r.getVerbs() == null || !r.getVerbs().contains("list") || !filter.matches(group, kind)) {
                continue;
            }
            found.putIfAbsent(group + "/" + kind,
                    new ListedResource(group, version, kind, r.getName(), Boolean.TRUE.equals(r.getNamespaced())));
        }
    }
}
