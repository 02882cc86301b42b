package io.portcullis.policy;

import java.nio.file.Path;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code portcullis.*}: what the server serves. Set by {@code portcullis serve} options, application.yaml,
 * or environment variables ({@code PORTCULLIS_TEMPLATES}, ...).
 *
 * @param templates        directory of ConstraintTemplates ({@code --templates})
 * @param constraints      directories of Constraints ({@code --constraints})
 * @param data             directories of sample/referential objects ({@code --data})
 * @param mutations        directories of mutators and profile bindings ({@code --mutations})
 * @param exemptNamespaces namespaces allowed to carry the ignore label ({@code --exempt-namespace})
 * @param exemptNamespacePrefixes namespaces so prefixed are exempt too ({@code --exempt-namespace-prefix})
 * @param exemptNamespaceSuffixes namespaces so suffixed are exempt too ({@code --exempt-namespace-suffix})
 * @param namespace        the server's own namespace ({@code --namespace}; POD_NAMESPACE in a cluster)
 * @param enableK8sNativeValidation whether templates with CEL ({@code K8sNativeValidation}) run it, as Gatekeeper's
 *                         {@code --enable-k8s-native-validation} (default true); false: they run their Rego and
 *                         CEL-only templates are refused
 */
@ConfigurationProperties("portcullis")
public record PortcullisProperties(
        @DefaultValue("constraint-templates") Path templates,
        @DefaultValue List<Path> constraints,
        @DefaultValue List<Path> data,
        @DefaultValue List<Path> mutations,
        @DefaultValue List<String> exemptNamespaces,
        @DefaultValue("portcullis-system") String namespace,
        @DefaultValue List<String> exemptNamespacePrefixes,
        @DefaultValue List<String> exemptNamespaceSuffixes,
        @DefaultValue("true") boolean enableK8sNativeValidation) {

    /**
     * The user the server's own requests come as: {@code k8s/}'s ServiceAccount in the server's namespace. Both
     * webhooks let it pass, as Gatekeeper does for its own, so the server never waits on itself.
     */
    public String ownServiceAccount() {
        return "system:serviceaccount:" + namespace + ":portcullis";
    }
}
