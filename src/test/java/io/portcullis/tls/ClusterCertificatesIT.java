package io.portcullis.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.portcullis.json.JsonFields;
import io.portcullis.constraint.Manifests;
import io.portcullis.e2e.KubeControlPlane;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The install manifests and the certificate rotation against a real kube-apiserver: every object of
 * {@code kubectl kustomize k8s/} passes the API server's validation, and the rotation works with exactly the
 * rights the manifests give the {@code portcullis} service account (the client impersonates it). The webhook
 * configurations installed here point at a loopback URL and match no resource, so the API server never calls
 * out; the shipped ones (Service-based) are only dry-run.
 */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterCertificatesIT {

    private static final String NS = "portcullis-system";
    private static final Path K8S = Path.of(System.getProperty("portcullis.project.dir", ".")).toAbsolutePath()
            .resolve("k8s");
    private static final String SERVICE_ACCOUNT = "system:serviceaccount:" + NS + ":portcullis";

    private KubeControlPlane plane;
    private KubernetesClient asPortcullis;

    @TempDir
    Path dirs;

    @BeforeAll
    void start() {
        plane = KubeControlPlane.start();
        Config config = Config.fromKubeconfig(plane.kubeconfigPath().toFile());
        config.setNoProxy(new String[] {"127.0.0.1", "localhost"});
        config.setImpersonateUsername(SERVICE_ACCOUNT);
        config.setImpersonateGroups("system:serviceaccounts", "system:serviceaccounts:" + NS, "system:authenticated");
        asPortcullis = new KubernetesClientBuilder().withConfig(config).build();
    }

    @AfterAll
    void stop() {
        if (asPortcullis != null) {
            asPortcullis.close();
        }
        if (plane != null) {
            plane.close();
        }
    }

    @Test
    @Order(1)
    void theApiServerAcceptsEveryManifest() throws Exception {
        String rendered = plane.kubectl("kustomize", K8S.toString()).orThrow();
        List<ObjectNode> objects = Manifests.readObjects(rendered, "kubectl kustomize k8s/");
        // The Service-based webhooks would make the API server dial a ClusterIP: validate them without creating.
        List<ObjectNode> webhooks = objects.stream().filter(ClusterCertificatesIT::isWebhookConfiguration).toList();
        List<ObjectNode> rest = objects.stream().filter(o -> !isWebhookConfiguration(o)).toList();
        String applied = plane.kubectlWithInput(list(rest), "apply", "--server-side", "--field-manager=install",
                "-f", "-").orThrow();
        assertThat(applied).contains("deployment.apps/portcullis serverside-applied",
                "cronjob.batch/portcullis-audit serverside-applied");
        String dryRun = plane.kubectlWithInput(list(webhooks), "apply", "--dry-run=server", "-f", "-").orThrow();
        assertThat(dryRun).contains("portcullis-validating-webhook-configuration", "portcullis-mutating-webhook-configuration");
        String guard = plane.kubectl("apply", "-f",
                K8S.resolve("components/crd-write-guard/crd-write-guard.yaml").toString()).orThrow();
        assertThat(guard).contains("portcullis-crd-write-guard");

        // Stand-ins under the shipped names, which the API server never calls.
        plane.client().admissionRegistration().v1().validatingWebhookConfigurations().resource(
                neverCalled(TlsProperties.DEFAULT_VALIDATING_WEBHOOK_CONFIGURATION, "validation.portcullis.dev"))
                .create();
        plane.client().admissionRegistration().v1().mutatingWebhookConfigurations().resource(
                new MutatingWebhookConfigurationBuilder().withNewMetadata()
                        .withName(TlsProperties.DEFAULT_MUTATING_WEBHOOK_CONFIGURATION).endMetadata()
                        .addNewWebhook().withName("mutation.portcullis.dev").withNewClientConfig()
                        .withUrl("https://127.0.0.1:9/v1/mutate").endClientConfig()
                        .addNewRule().withApiGroups("never.portcullis.dev").withApiVersions("v1")
                        .withResources("nothing").withOperations("CREATE").endRule()
                        .withSideEffects("None").withAdmissionReviewVersions("v1").endWebhook().build()).create();
    }

    @Test
    @Order(2)
    void replicasStartingTogetherFillTheShippedSecretOnceWithTheServiceAccountsRights() throws Exception {
        List<SecretCertificateRotator.Outcome> outcomes = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<SecretCertificateRotator.Outcome>> futures = new ArrayList<>();
            for (String name : List.of("a", "b", "c")) {
                SecretCertificateRotator replica = replica(name);
                futures.add(pool.submit(() -> {
                    go.await();
                    return replica.rotate(Instant.now());
                }));
            }
            go.countDown();
            for (Future<SecretCertificateRotator.Outcome> future : futures) {
                outcomes.add(future.get());
            }
        } finally {
            pool.shutdownNow();
        }
        X509Certificate ca = outcomes.getFirst().certificates().ca();
        assertThat(outcomes).allSatisfy(o -> assertThat(o.certificates().ca()).isEqualTo(ca));
        assertThat(outcomes).filteredOn(o -> o.result().action() == CertificateProvisioner.Action.GENERATED)
                .hasSize(1);
        String bundle = SecretCertificateRotator.caBundle(List.of(ca));
        assertThat(plane.client().admissionRegistration().v1().validatingWebhookConfigurations()
                .withName(TlsProperties.DEFAULT_VALIDATING_WEBHOOK_CONFIGURATION).get().getWebhooks().getFirst()
                .getClientConfig().getCaBundle()).isEqualTo(bundle);
        assertThat(plane.client().admissionRegistration().v1().mutatingWebhookConfigurations()
                .withName(TlsProperties.DEFAULT_MUTATING_WEBHOOK_CONFIGURATION).get().getWebhooks().getFirst()
                .getClientConfig().getCaBundle()).isEqualTo(bundle);
        assertThat(plane.client().secrets().inNamespace(NS).withName(TlsProperties.DEFAULT_SECRET_NAME).get()
                .getMetadata().getLabels()).as("the shipped Secret, filled in").containsEntry(
                "app.kubernetes.io/part-of", "portcullis");
    }

    @Test
    @Order(3)
    void aWriteOverAnOldVersionIsAConflict() {
        SecretCertificateStore stale = new SecretCertificateStore(asPortcullis, NS, TlsProperties.DEFAULT_SECRET_NAME);
        PemBundle read = stale.load();
        replica("a").rotate(Instant.now().plus(java.time.Duration.ofDays(300))); // renews: a new version
        assertThatThrownBy(() -> stale.save(read, Optional.empty())).isInstanceOf(CertificateConflictException.class);
    }

    @Test
    @Order(4)
    void theServiceAccountCannotTouchOtherWebhookConfigurationsOrForeignCrds() throws InterruptedException {
        plane.client().admissionRegistration().v1().validatingWebhookConfigurations().resource(
                neverCalled("someone-else", "other.example.com")).create();
        WebhookCaBundle other = new WebhookCaBundle(asPortcullis, "someone-else", "");
        String bundle = SecretCertificateRotator.caBundle(List.of(replica("a").rotate(Instant.now())
                .certificates().ca()));
        assertThatThrownBy(() -> other.apply(bundle, () -> true))
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));

        // The optional guard lets the service account write CRDs of Gatekeeper's and SPO's groups only. A new
        // policy takes a moment to be enforced: retry, bounded.
        String denial = null;
        for (int i = 0; i < 60 && denial == null; i++) {
            try {
                asPortcullis.apiextensions().v1().customResourceDefinitions().resource(crd("widgets", "example.com"))
                        .create();
                plane.client().apiextensions().v1().customResourceDefinitions().withName("widgets.example.com")
                        .delete();
                Thread.sleep(500);
            } catch (KubernetesClientException e) {
                denial = e.getMessage();
            }
        }
        assertThat(denial).contains("portcullis may only write CRDs");
        CustomResourceDefinition ours = asPortcullis.apiextensions().v1().customResourceDefinitions()
                .resource(crd("k8stestwidgets", "constraints.gatekeeper.sh")).create();
        assertThat(ours.getMetadata().getName()).isEqualTo("k8stestwidgets.constraints.gatekeeper.sh");
    }

    @Test
    @Order(5)
    void uninstallKeepingTheCrdsRemovesEverythingElse() {
        plane.client().admissionRegistration().v1().validatingWebhookConfigurations()
                .withName(TlsProperties.DEFAULT_VALIDATING_WEBHOOK_CONFIGURATION).delete();
        plane.client().admissionRegistration().v1().mutatingWebhookConfigurations()
                .withName(TlsProperties.DEFAULT_MUTATING_WEBHOOK_CONFIGURATION).delete();
        // docs/deploy.md: the selector spares the CRDs (and with them every template, constraint and binding).
        plane.kubectl("delete", "-k", K8S.toString(), "-l", "app.kubernetes.io/name=portcullis",
                "--ignore-not-found", "--wait=false").orThrow();
        assertThat(plane.client().apiextensions().v1().customResourceDefinitions()
                .withName("constrainttemplates.templates.gatekeeper.sh").get()).isNotNull();
        assertThat(plane.client().rbac().clusterRoles().withName("portcullis").get()).isNull();
        assertThat(plane.client().apps().deployments().inNamespace(NS).withName("portcullis").get()).isNull();
    }

    private SecretCertificateRotator replica(String name) {
        return new SecretCertificateRotator(new SecretCertificateStore(asPortcullis, NS, TlsProperties.DEFAULT_SECRET_NAME),
                new WebhookCaBundle(asPortcullis, TlsProperties.DEFAULT_VALIDATING_WEBHOOK_CONFIGURATION,
                        TlsProperties.DEFAULT_MUTATING_WEBHOOK_CONFIGURATION),
                new PemDirectoryStore(dirs.resolve(name)), CertificateSpec.defaults(NS),
                new CertificateProvisioner(new CertificateIssuer()));
    }

    /** A configuration whose one webhook matches a resource that does not exist, at a loopback URL. */
    private static io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration neverCalled(
            String name, String webhook) {
        return new ValidatingWebhookConfigurationBuilder().withNewMetadata().withName(name).endMetadata()
                .addNewWebhook().withName(webhook).withNewClientConfig()
                .withUrl("https://127.0.0.1:9/v1/admit").endClientConfig()
                .addNewRule().withApiGroups("never.portcullis.dev").withApiVersions("v1")
                .withResources("nothing").withOperations("CREATE").endRule()
                .withSideEffects("None").withAdmissionReviewVersions("v1").endWebhook().build();
    }

    private static boolean isWebhookConfiguration(ObjectNode object) {
        String kind = JsonFields.text(object.get("kind"));
        return kind.equals("ValidatingWebhookConfiguration") || kind.equals("MutatingWebhookConfiguration");
    }

    private static String list(List<ObjectNode> objects) {
        ObjectNode list = new JsonMapper().createObjectNode().put("apiVersion", "v1").put("kind", "List");
        list.putArray("items").addAll(objects);
        return list.toString();
    }

    private static CustomResourceDefinition crd(String plural, String group) {
        return new CustomResourceDefinitionBuilder().withNewMetadata().withName(plural + "." + group).endMetadata()
                .withNewSpec().withGroup(group).withScope("Cluster")
                .withNewNames().withPlural(plural).withKind("K" + plural).endNames()
                .addNewVersion().withName("v1").withServed(true).withStorage(true)
                .withNewSchema().withNewOpenAPIV3Schema().withType("object")
                .withXKubernetesPreserveUnknownFields(true).endOpenAPIV3Schema().endSchema().endVersion()
                .endSpec().build();
    }
}
