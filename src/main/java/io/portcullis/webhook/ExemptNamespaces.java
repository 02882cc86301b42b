package io.portcullis.webhook;

import io.portcullis.policy.PortcullisProperties;
import java.util.List;
import java.util.Set;

/**
 * The namespaces exempt from Portcullis, as Gatekeeper's {@code --exempt-namespace}, {@code --exempt-namespace-prefix}
 * and {@code --exempt-namespace-suffix} name them: only these may carry the ignore label ({@code /v1/admitlabel}),
 * and {@code /v1/admit} does not evaluate them.
 */
public record ExemptNamespaces(Set<String> names, List<String> prefixes, List<String> suffixes) {

    public ExemptNamespaces {
        names = Set.copyOf(names);
        prefixes = List.copyOf(prefixes);
        suffixes = List.copyOf(suffixes);
    }

    /** The namespaces the {@code --exempt-namespace*} options name. */
    static ExemptNamespaces of(PortcullisProperties properties) {
        return new ExemptNamespaces(Set.copyOf(properties.exemptNamespaces()), properties.exemptNamespacePrefixes(),
                properties.exemptNamespaceSuffixes());
    }

    public boolean contains(String namespace) {
        if (names.contains(namespace)) {
            return true;
        }
        // Usually empty: no per-request cost unless prefixes or suffixes are configured.
        for (String prefix : prefixes) {
            if (namespace.startsWith(prefix)) {
                return true;
            }
        }
        for (String suffix : suffixes) {
            if (namespace.endsWith(suffix)) {
                return true;
            }
        }
        return false;
    }
}
