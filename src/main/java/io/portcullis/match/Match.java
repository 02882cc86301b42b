package io.portcullis.match;

import io.portcullis.json.JsonFields;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * A {@code spec.match} of a constraint or a mutator ([GK] pkg/mutation/match/match_types.go). Absent or empty
 * criteria match everything; {@link Matcher} decides whether an object is in scope.
 *
 * @param labelSelector     null when not given (an empty selector given explicitly matches everything too)
 * @param namespaceSelector null when not given; given, it needs the object's Namespace (see {@link Matcher})
 * @param source            {@code ""} (meaning All), {@code All}, {@code Original} or {@code Generated}
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

    static final Set<String> SOURCES = Set.of("All", "Generated", "Original");

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

        boolean matches(String group, String kind) {
            boolean kindMatches = kinds.isEmpty() || kinds.contains("*") || kinds.contains(kind);
            boolean groupMatches = apiGroups.isEmpty() || apiGroups.contains("*") || apiGroups.contains(group);
            return kindMatches && groupMatches;
        }
    }

    /**
     * Reads a {@code spec.match}; absent or JSON null is {@link #EVERYTHING}. Problems are added to {@code errors}
     * as Kubernetes field errors, and the caller rejects the object when there are any. Constraints reach this
     * after their CRD schema, so only the selector checks can fire for them; mutators have no schema here, so the
     * shape checks (and the {@code source} enum of Gatekeeper's mutator CRDs) are made here.
     *
     * <p>Both selectors are reported under {@code spec.labelSelector}: that is the path Gatekeeper's
     * {@code ValidateConstraint} gives them ([GK] pkg/target/target.go), and constraint users see that message.
     */
    public static Match parse(JsonNode match, List<String> errors) {
        if (match == null || match.isNull() || match.isMissingNode()) {
            return EVERYTHING;
        }
        if (!match.isObject()) {
            errors.add("spec.match: Invalid value: must be an object");
            return EVERYTHING;
        }
        List<KindSelector> kinds = new ArrayList<>();
        JsonNode kindsNode = match.path("kinds");
        if (kindsNode.isArray()) {
            for (int i = 0; i < kindsNode.size(); i++) {
                String at = "spec.match.kinds[" + i + "]";
                JsonNode k = kindsNode.get(i);
                if (!k.isObject()) {
                    errors.add(at + ": Invalid value: must be an object");
                    continue;
                }
                // The constraint CRD declares these items nullable; a null entry decodes to "" as in Go.
                kinds.add(new KindSelector(strings(k.path("apiGroups"), at + ".apiGroups", true, errors),
                        strings(k.path("kinds"), at + ".kinds", true, errors)));
            }
        } else if (!kindsNode.isMissingNode() && !kindsNode.isNull()) {
            errors.add("spec.match.kinds: Invalid value: must be an array");
        }
        String source = JsonFields.text(match.path("source"));
        if (!source.isEmpty() && !SOURCES.contains(source)) {
            errors.add("spec.match.source: Unsupported value: \"" + source
                    + "\": supported values: \"All\", \"Generated\", \"Original\"");
        }
        return new Match(
                kinds,
                JsonFields.text(match.path("scope")),
                strings(match.path("namespaces"), "spec.match.namespaces", false, errors),
                strings(match.path("excludedNamespaces"), "spec.match.excludedNamespaces", false, errors),
                LabelSelector.parse(match.path("labelSelector"), "spec.labelSelector", errors),
                LabelSelector.parse(match.path("namespaceSelector"), "spec.labelSelector", errors),
                JsonFields.text(match.path("name")),
                source);
    }

    private static List<String> strings(JsonNode node, String path, boolean nullable, List<String> errors) {
        List<String> out = new ArrayList<>();
        if (node.isMissingNode() || node.isNull()) {
            return out;
        }
        if (!node.isArray()) {
            errors.add(path + ": Invalid value: must be an array");
            return out;
        }
        for (int i = 0; i < node.size(); i++) {
            JsonNode v = node.get(i);
            if (v.isString()) {
                out.add(v.asString());
            } else if (v.isNull() && nullable) {
                out.add("");
            } else {
                errors.add(path + "[" + i + "]: Invalid value: " + v + ": must be a string");
            }
        }
        return out;
    }
}
