package io.portcullis.mutation.match;

import io.portcullis.mutation.JsonValues;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * Gatekeeper's {@code spec.match} (shared by constraints and mutators): all criteria ANDed, an absent or empty
 * criterion matches. The matchers run in Gatekeeper's order (kinds, scope, namespaces, excludedNamespaces,
 * labelSelector, namespaceSelector, name, source), so the first undecidable one reports the error.
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

    /** One {@code kinds} entry: empty lists or {@code "*"} match anything. */
    public record KindSelector(List<String> apiGroups, List<String> kinds) {
        boolean matches(String group, String kind) {
            return (kinds.isEmpty() || kinds.contains("*") || kinds.contains(kind))
                    && (apiGroups.isEmpty() || apiGroups.contains("*") || apiGroups.contains(group));
        }
    }

    public static final Match EVERYTHING = new Match(List.of(), "", List.of(), List.of(), null, null, "", "");

    public Match {
        kinds = List.copyOf(kinds);
        namespaces = List.copyOf(namespaces);
        excludedNamespaces = List.copyOf(excludedNamespaces);
        scope = scope == null ? "" : scope;
        name = name == null ? "" : name;
        source = source == null ? "" : source;
    }

    /** Reads {@code spec.match}; null gives {@link #EVERYTHING}. Malformed fields are an IllegalArgumentException. */
    public static Match parse(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return EVERYTHING;
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException("match must be an object");
        }
        List<KindSelector> kinds = new ArrayList<>();
        JsonNode kindsNode = node.get("kinds");
        if (kindsNode != null && !kindsNode.isNull()) {
            if (!kindsNode.isArray()) {
                throw new IllegalArgumentException("match.kinds must be a list");
            }
            for (JsonNode k : kindsNode.values()) {
                kinds.add(new KindSelector(JsonValues.strings(k, "apiGroups"), JsonValues.strings(k, "kinds")));
            }
        }
        String source = JsonValues.text(node, "source");
        if (source != null && !source.isEmpty() && !List.of("All", MatchTarget.ORIGINAL, MatchTarget.GENERATED).contains(source)) {
            throw new IllegalArgumentException("invalid source field \"" + source + "\"");
        }
        return new Match(kinds,
                JsonValues.text(node, "scope"),
                JsonValues.strings(node, "namespaces"),
                JsonValues.strings(node, "excludedNamespaces"),
                LabelSelector.parse(node.get("labelSelector")),
                LabelSelector.parse(node.get("namespaceSelector")),
                JsonValues.text(node, "name"),
                source);
    }

    public boolean matches(MatchTarget target) throws MatchException {
        JsonNode object = target.object();
        JsonNode metadata = object.path("metadata");
        String kind = JsonValues.text(object, "kind");
        String group = JsonValues.group(object);
        boolean isNamespace = "Namespace".equals(kind) && group.isEmpty();
        String objectNamespace = JsonValues.text(metadata, "namespace");
        boolean hasNamespace = (objectNamespace != null && !objectNamespace.isEmpty()) || target.namespace() != null;

        if (!kinds.isEmpty() && kinds.stream().noneMatch(k -> k.matches(group, kind == null ? "" : kind))) {
            return false;
        }
        if ("Cluster".equals(scope) && !(isNamespace || !hasNamespace)) {
            return false;
        }
        if ("Namespaced".equals(scope) && !(!isNamespace && hasNamespace)) {
            return false;
        }
        String namespaceName = namespaceName(object, target.namespace(), isNamespace, objectNamespace);
        if (!namespaces.isEmpty() && namespaceName != null
                && namespaces.stream().noneMatch(p -> Wildcard.matches(p, namespaceName))) {
            return false;
        }
        if (!excludedNamespaces.isEmpty() && namespaceName != null
                && excludedNamespaces.stream().anyMatch(p -> Wildcard.matches(p, namespaceName))) {
            return false;
        }
        if (labelSelector != null && !labelSelector.matches(JsonValues.stringMap(metadata, "labels"))) {
            return false;
        }
        if (namespaceSelector != null && !namespaceSelectorMatches(object, target.namespace(), isNamespace, objectNamespace)) {
            return false;
        }
        if (!name.isEmpty() && !nameMatches(metadata)) {
            return false;
        }
        return sourceMatches(target.source(), JsonValues.text(metadata, "name"));
    }

    /** The namespace name the namespace criteria test, or null for a cluster-scoped non-Namespace object. */
    private static String namespaceName(JsonNode object, JsonNode ns, boolean isNamespace, String objectNamespace) {
        if (isNamespace) {
            String own = JsonValues.text(object.path("metadata"), "name");
            return own == null ? "" : own;
        }
        if (ns != null) {
            String nsName = JsonValues.text(ns.path("metadata"), "name");
            return nsName == null ? "" : nsName;
        }
        return objectNamespace == null || objectNamespace.isEmpty() ? null : objectNamespace;
    }

    private boolean namespaceSelectorMatches(JsonNode object, JsonNode ns, boolean isNamespace, String objectNamespace)
            throws MatchException {
        if (isNamespace) {
            return namespaceSelector.matches(JsonValues.stringMap(object.path("metadata"), "labels"));
        }
        if (ns != null) {
            return namespaceSelector.matches(JsonValues.stringMap(ns.path("metadata"), "labels"));
        }
        if (objectNamespace == null || objectNamespace.isEmpty()) {
            return true;
        }
        throw new MatchException("namespace selector for namespace-scoped object but missing Namespace");
    }

    private boolean nameMatches(JsonNode metadata) {
        String objectName = JsonValues.text(metadata, "name");
        if (objectName != null && Wildcard.matches(name, objectName)) {
            return true;
        }
        String generateName = JsonValues.text(metadata, "generateName");
        return generateName != null && !generateName.isEmpty() && Wildcard.matchesGenerateName(name, generateName);
    }

    private boolean sourceMatches(String reviewSource, String objectName) throws MatchException {
        if (source.isEmpty() || source.equals("All")) {
            return true;
        }
        if (reviewSource == null || reviewSource.isEmpty()) {
            throw new MatchException("source field not specified for resource " + objectName);
        }
        return source.equals(reviewSource);
    }
}
