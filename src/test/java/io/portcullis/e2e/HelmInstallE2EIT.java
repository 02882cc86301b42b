package io.portcullis.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The README's Helm commands against a real kube-apiserver: {@code helm install --create-namespace} (Helm 4 takes
 * over the namespace it created, so the chart's Pod Security and ignore labels land on it), {@code helm upgrade}
 * with a value, and {@code helm uninstall}, which keeps the CRDs (crds.keep). Portcullis itself does not run here
 * (HelmChartE2EIT runs it behind the chart's objects); the webhooks fail open meanwhile, as shipped.
 */
@Tag("e2e")
class HelmInstallE2EIT {
    private static final String NAMESPACE = "portcullis-system";

    @Test
    void installUpgradeUninstallAsTheReadmeSays() {
        ClusterBinaries.locate();
        try (KubeControlPlane plane = KubeControlPlane.start()) {
            String kubeconfig = "--kubeconfig=" + plane.kubeconfigPath();
            String chart = Helm.CHART.toString();
            KubernetesClient kube = plane.client();

            Helm.run("install", "portcullis", chart, "-n", NAMESPACE, "--create-namespace", kubeconfig)
                    .orThrow();
            assertThat(kube.namespaces().withName(NAMESPACE).get().getMetadata().getLabels())
                    .containsEntry("pod-security.kubernetes.io/enforce", "restricted")
                    .containsEntry("admission.gatekeeper.sh/ignore", "no-self-managing");
            assertThat(kube.apps().deployments().inNamespace(NAMESPACE).withName("portcullis").get().getSpec()
                    .getReplicas()).isEqualTo(3);

            Helm.run("upgrade", "portcullis", chart, "-n", NAMESPACE, "--set", "replicas=2",
                    "--set", "validatingWebhookFailurePolicy=Fail", kubeconfig).orThrow();
            assertThat(kube.apps().deployments().inNamespace(NAMESPACE).withName("portcullis").get().getSpec()
                    .getReplicas()).isEqualTo(2);
            assertThat(kube.admissionRegistration().v1().validatingWebhookConfigurations()
                    .withName("portcullis-validating-webhook-configuration").get().getWebhooks().getFirst()
                    .getFailurePolicy()).isEqualTo("Fail");

            Kubectl.Result uninstall = Helm.run("uninstall", "portcullis", "-n", NAMESPACE, kubeconfig);
            assertThat(uninstall.exitCode()).as(uninstall.stderr()).isZero();
            assertThat(uninstall.stdout() + uninstall.stderr()).contains("release \"portcullis\" uninstalled");
            assertThat(kube.admissionRegistration().v1().validatingWebhookConfigurations()
                    .withName("portcullis-validating-webhook-configuration").get()).isNull();
            // The CRDs, and so every template, constraint and binding, stay (helm.sh/resource-policy: keep).
            assertThat(kube.apiextensions().v1().customResourceDefinitions()
                    .withName("constrainttemplates.templates.gatekeeper.sh").get()).isNotNull();
        }
    }
}
