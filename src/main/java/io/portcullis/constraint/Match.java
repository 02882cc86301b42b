package io.portcullis.constraint;

import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * A constraint's {@code spec.match}. Absent or empty criteria match everything.
 *
 * @param labelSelector null when not given (an empty selector given explicitly matches everything too)
 * @param namespaceSelector null when not given; given, it needs the object's Namespace (see {@link Matcher})
 */
public record Match(
        List<KindSelector> kinds,
        String scope,
        List<String> namespaces,
        List<String> excludedNamespaces,
        LabelSelector labelSelector,
        LabelSelector namespaceSelector,
        String name,
        String source) {

    public static final Match EVERYTHING = new Match(List.of(), "", List.of(), List.of(), null, null, "", "");

    public Match {
        kinds = List.copyOf(kinds);
        namespaces = List.copyOf(namespaces);
        excludedNamespaces = List.copyOf(excludedNamespaces);
        scope = scope == null ? "" : scope;
        name = name == null ? "" : name;
        source = source == null ? "" : source;
    }

    /** One {@code kinds[]} entry: an empty list or {@code "*"} matches every group or kind. */
    public record KindSelector(List<String> apiGroups, List<String> kinds) {
        public KindSelector {
            apiGroups = List.copyOf(apiGroups);
            kinds = List.copyOf(kinds);
        }

        boolean matches(Gvk gvk) {
            boolean kindMatches = kinds.isEmpty() || kinds.contains("*") || kinds.contains(gvk.kind());
            boolean groupMatches = apiGroups.isEmpty() || apiGroups.contains("*") || apiGroups.contains(gvk.group());
            return kindMatches && groupMatches;
        }
    }

    /** Reads {@code spec.match}; selector problems are added to {@code errors} as Kubernetes field errors. */
    public static Match parse(JsonNode match, List<String> errors) {
        if (match == null || !match.isObject()) {
            return EVERYTHING;
        }
        List<KindSelector> kinds = new ArrayList<>();
        for (JsonNode k : match.path("kinds")) {
            kinds.add(new KindSelector(strings(k.path("apiGroups")), strings(k.path("kinds"))));
        }
        return new Match(
                kinds,
                Kube.text(match.path("scope")),
                strings(match.path("namespaces")),
                strings(match.path("excludedNamespaces")),
                selector(match.path("labelSelector"), "spec.labelSelector", errors),
                selector(match.path("namespaceSelector"), "spec.labelSelector", errors),
                Kube.text(match.path("name")),
                Kube.text(match.path("source")));
    }

    private static LabelSelector selector(JsonNode node, String path, List<String> errors) {
        if (node.isMissingNode() || node.isNull()) {
            return null;
        }
        return LabelSelector.parse(node, path, errors);
    }

    private static List<String> strings(JsonNode node) {
        List<String> out = new ArrayList<>();
        // Nullable string lists: a null entry is the empty string, as Go decodes it.
        node.forEach(v -> out.add(Kube.text(v)));
        return out;
    }
}
