package io.portcullis.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.portcullis.json.JsonFields;
import io.portcullis.constraint.Manifests;
import io.portcullis.tls.Pem;
import io.portcullis.tls.TlsProperties;
import io.portcullis.webhook.DashboardMetrics;
import io.portcullis.webhook.PortcullisServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Helm chart installed into a real kube-apiserver: every object {@code helm template} renders with default
 * values (CRDs, namespace, RBAC, Secret, Service, Deployment, PodDisruptionBudget, CronJob, webhook configurations)
 * is applied, so the API server validates all of them; only the webhooks' service is replaced by the URL of a
 * Portcullis started in this JVM, as PortcullisE2EIT adapts k8s/ (no kubelet runs the Deployment's pods). Portcullis
 * runs with a token of the chart's service account, so with exactly the chart's rights, and a Pod without a
 * seccomp profile is then denied through the API server. The Grafana dashboard's metrics, audit included, are
 * checked on its /actuator/prometheus.
 */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HelmChartE2EIT {
    private static final Path PROJECT = Helm.PROJECT;
    private static final String NAMESPACE = "portcullis-system";
    private static final String APPS = "e2e-helm-apps";
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private KubeControlPlane plane;
    private KubernetesClient kube;
    private ConfigurableApplicationContext portcullis;
    private Path certs;
    private int port;

    @BeforeAll
    void install(@TempDir Path dir) throws Exception {
        ClusterBinaries.locate();
        plane = KubeControlPlane.start();
        kube = plane.client();
        port = freePort();
        certs = dir.resolve("certs");

        List<ObjectNode> objects = Manifests.readObjects(Helm.template(NAMESPACE), "helm template");
        pointWebhooksAtThisJvm(objects);
        ObjectNode list = JSON.createObjectNode().put("apiVersion", "v1").put("kind", "List");
        ArrayNode items = list.putArray("items");
        objects.forEach(items::add);
        plane.kubectlWithInput(list.toString(), "apply", "-f", "-").orThrow();

        portcullis = PortcullisServer.application().run(
                "--server.address=127.0.0.1",
                "--server.port=" + port,
                "--portcullis.source=kubernetes",
                "--portcullis.namespace=" + NAMESPACE,
                "--portcullis.kubernetes.kubeconfig=" + serviceAccountKubeconfig(dir.resolve("portcullis.kubeconfig")),
                "--portcullis.kubernetes.pod-name=portcullis-helm-0",
                "--portcullis.tls.cert-dir=" + certs,
                "--portcullis.audit.interval=3s");
        await("Portcullis ready", () -> {
            HttpResponse<String> ready = https("/readyz");
            return ready != null && ready.statusCode() == 200 ? Boolean.TRUE : null;
        });
        // Only now: the chart's check-ignore-label webhook fails closed, so namespaces wait for Portcullis.
        plane.createNamespace(APPS, Map.of());
    }

    @AfterAll
    void uninstall() {
        try {
            if (portcullis != null) {
                portcullis.close();
            }
        } finally {
            if (plane != null) {
                plane.close();
            }
        }
    }

    @Test
    @Order(1)
    void theChartsObjectsAreInTheApiServer() {
        assertThat(kube.apps().deployments().inNamespace(NAMESPACE).withName("portcullis").get().getSpec().getReplicas())
                .isEqualTo(3);
        assertThat(kube.namespaces().withName(NAMESPACE).get().getMetadata().getLabels())
                .containsEntry("pod-security.kubernetes.io/enforce", "restricted")
                .containsEntry("app.kubernetes.io/managed-by", "Helm");
        assertThat(kube.batch().v1().cronjobs().inNamespace(NAMESPACE).withName("portcullis-audit").get().getSpec()
                .getSuspend()).isTrue();
        // The server put its CA into the chart's webhook configurations (its service account may patch only those).
        var validating = kube.admissionRegistration().v1().validatingWebhookConfigurations()
                .withName(TlsProperties.DEFAULT_VALIDATING_WEBHOOK_CONFIGURATION).get().getWebhooks().getFirst();
        assertThat(validating.getClientConfig().getCaBundle()).isNotBlank();
        assertThat(validating.getFailurePolicy()).isEqualTo("Ignore");
    }

    @Test
    @Order(2)
    void aPodWithoutSeccompProfileIsDeniedThroughTheApiServer() {
        plane.kubectl("apply", "-f", PROJECT.resolve("constraint-templates/k8srequiredseccompprofile/template.yaml").toString())
                .orThrow();
        await("the constraint CRD", () -> plane.kubectl("apply", "-f",
                PROJECT.resolve("examples/constraints/k8srequiredseccompprofile.yaml").toString()).succeeded() ? Boolean.TRUE : null);

        String denial = await("a Pod without seccomp profile denied", () -> {
            Kubectl.Result created = plane.kubectlWithInput(pod("unconfined", null), "create", "-n", APPS, "-f", "-");
            if (created.succeeded()) {
                plane.kubectl("delete", "pod", "-n", APPS, "unconfined", "--wait=false");
                return null;   // the constraint is not in force yet
            }
            return created.stderr();
        });
        assertThat(denial).contains("admission webhook \"validation.portcullis.dev\" denied the request: "
                + "[pods-require-seccomp-profile] container \"app\" has no seccomp profile");
        plane.kubectlWithInput(pod("confined", "RuntimeDefault"), "create", "-n", APPS, "-f", "-").orThrow();
    }

    @Test
    @Order(3)
    void everyMetricOfTheDashboardIsExportedAuditIncluded() {
        Set<String> queried = DashboardMetrics.queried();
        Set<String> missing = await("every dashboard metric on /actuator/prometheus", () -> {
            HttpResponse<String> scrape = https("/actuator/prometheus");
            if (scrape == null || scrape.statusCode() != 200) {
                return null;
            }
            Set<String> left = new TreeSet<>(queried);
            left.removeAll(DashboardMetrics.exported(scrape.body()));
            // The refusal counter appears with the first refusal; this server has refused nothing.
            left.remove("portcullis_webhook_refused_requests_total");
            return left.isEmpty() ? left : null;
        });
        assertThat(missing).isEmpty();
        assertThat(queried).contains("gatekeeper_violations", "gatekeeper_audit_last_run_end_time",
                "gatekeeper_validation_request_count_total");
    }

    // --- adaptation and plumbing ---

    /** Each webhook's service clientConfig becomes the URL of this JVM's server, same path; the rest as rendered. */
    private void pointWebhooksAtThisJvm(List<ObjectNode> objects) {
        List<String> adapted = new ArrayList<>();
        for (ObjectNode object : objects) {
            for (JsonNode webhook : object.path("webhooks")) {
                ObjectNode clientConfig = (ObjectNode) webhook.get("clientConfig");
                String path = clientConfig.at("/service/path").asString();
                assertThat(path).startsWith("/v1/");
                clientConfig.remove("service");
                clientConfig.put("url", "https://127.0.0.1:" + port + path);
                adapted.add(path);
            }
        }
        assertThat(adapted).as("webhook paths rendered by the chart")
                .containsExactlyInAnyOrder("/v1/admit", "/v1/admitlabel", "/v1/mutate");
        assertThat(objects).extracting(JsonFields::name).contains(TlsProperties.DEFAULT_VALIDATING_WEBHOOK_CONFIGURATION,
                TlsProperties.DEFAULT_MUTATING_WEBHOOK_CONFIGURATION);
    }

    private static String pod(String name, String seccompType) {
        String securityContext = seccompType == null ? "{}" : "{\"seccompProfile\":{\"type\":\"" + seccompType + "\"}}";
        return """
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"%s"},
                 "spec":{"containers":[{"name":"app","image":"nginx","securityContext":%s}]}}"""
                .formatted(name, securityContext);
    }

    /** A kubeconfig with a token of the chart's service account, as its pods get one from the kubelet. */
    private Path serviceAccountKubeconfig(Path file) throws IOException {
        String token = kube.serviceAccounts().inNamespace(NAMESPACE).withName("portcullis")
                .tokenRequest(new TokenRequestBuilder().withNewSpec().withExpirationSeconds(3600L).endSpec().build())
                .getStatus().getToken();
        Files.writeString(file, """
                apiVersion: v1
                kind: Config
                clusters:
                - name: e2e
                  cluster:
                    server: %s
                    certificate-authority-data: %s
                users:
                - name: portcullis
                  user:
                    token: %s
                contexts:
                - name: e2e
                  context: {cluster: e2e, user: portcullis, namespace: %s}
                current-context: e2e
                """.formatted(plane.apiServerUrl(), Base64.getEncoder().encodeToString(
                        plane.pki().ca().certificatePem().getBytes(StandardCharsets.US_ASCII)), token, NAMESPACE));
        return file;
    }

    /** GET over HTTPS trusting only the CA Portcullis serves with; null while it does not answer. */
    private HttpResponse<String> https(String path) {
        try {
            if (!Files.isRegularFile(certs.resolve("ca.crt"))) {
                return null;
            }
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", Pem.certificate(Files.readString(certs.resolve("ca.crt"))));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, tmf.getTrustManagers(), null);
            try (HttpClient client = HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(5)).build()) {
                return client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + path))
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            }
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Polls until the supplier gives a value (null: not yet), at most WAIT. */
    private static <T> T await(String what, Supplier<T> poll) {
        long end = System.nanoTime() + WAIT.toNanos();
        while (true) {
            T value = poll.get();
            if (value != null) {
                return value;
            }
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out after " + WAIT.toSeconds() + " s waiting for " + what);
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
