package io.portcullis.kube;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code portcullis.kubernetes.*}: how the server works in a cluster ({@code portcullis.source=kubernetes}).
 *
 * @param kubeconfig            kubeconfig file to use; empty: $KUBECONFIG, ~/.kube/config, or the pod's service account
 * @param installCrds           apply the CRDs Portcullis reads at start (those not installed by someone else);
 *                              false only checks that they exist
 * @param crds                  directory of CRD manifests to install; empty: the ones packed in the jar (k8s/crds)
 * @param crdEstablishedTimeout how long the start waits for installed CRDs to be served
 * @param podName               this replica's id in {@code status.byPod}; empty: $POD_NAME, else $HOSTNAME
 * @param operations            the operations listed in {@code status.byPod} entries (Gatekeeper's {@code --operation})
 * @param defaultCreateVapForTemplates          generate a ValidatingAdmissionPolicy for each template with CEL code
 *                                              unless it says {@code generateVAP: false} (Gatekeeper's
 *                                              {@code --default-create-vap-for-templates}); false: only when it
 *                                              says {@code generateVAP: true}
 * @param defaultCreateVapBindingForConstraints generate a ValidatingAdmissionPolicyBinding for each constraint of
 *                                              such a template (Gatekeeper's
 *                                              {@code --default-create-vap-binding-for-constraints}); false: only
 *                                              for scoped enforcement actions naming {@code vap.k8s.io}
 */
@ConfigurationProperties("portcullis.kubernetes")
public record KubernetesProperties(
        Path kubeconfig,
        @DefaultValue("true") boolean installCrds,
        Path crds,
        @DefaultValue("60s") Duration crdEstablishedTimeout,
        String podName,
        @DefaultValue({"mutation-webhook", "webhook"}) List<String> operations,
        @DefaultValue("true") boolean defaultCreateVapForTemplates,
        @DefaultValue("true") boolean defaultCreateVapBindingForConstraints) {

    public KubernetesProperties {
        operations = List.copyOf(operations);
    }

    /** {@link #podName}, else $POD_NAME (the downward API), else $HOSTNAME (the pod name in a pod), else "portcullis". */
    public String replicaId() {
        for (String candidate : new String[] {podName, System.getenv("POD_NAME"), System.getenv("HOSTNAME")}) {
            if (candidate != null && !candidate.isBlank()) {
                return candidate;
            }
        }
        return "portcullis";
    }
}
