package io.portcullis.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The control plane is real: etcd and kube-apiserver start on loopback, objects go through the API server,
 * and the API server itself calls a validating webhook served by this JVM over HTTPS (the way it will call
 * Portcullis), then stops by process id.
 */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KubeControlPlaneIT {

    private static final String NAMESPACE = "smoke";
    private static final String DENIAL = "the smoke-test webhook refuses ConfigMaps named deny-me";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private KubeControlPlane plane;
    private List<ProcessHandle> started;
    private HttpsServer webhook;
    private final ExecutorService webhookThreads = Executors.newFixedThreadPool(2);
    private final AtomicInteger reviews = new AtomicInteger();

    @BeforeAll
    void start() {
        Instant begin = Instant.now();
        plane = KubeControlPlane.start();
        started = plane.processes();
        System.err.printf("KubeControlPlaneIT: control plane ready in %d ms at %s (%s)%n",
                Duration.between(begin, Instant.now()).toMillis(), plane.apiServerUrl(), plane.workDir());
    }

    @AfterAll
    void stop() {
        if (webhook != null) {
            webhook.stop(0);
        }
        webhookThreads.shutdownNow();
        if (plane != null) {
            plane.close();
        }
    }

    @Test
    @Order(1)
    void storesObjectsThroughTheApiServer() {
        KubernetesClient kube = plane.client();
        plane.createNamespace(NAMESPACE, Map.of("portcullis.io/smoke", "true"));
        kube.configMaps().inNamespace(NAMESPACE).resource(configMap("first")).create();

        assertThat(kube.configMaps().inNamespace(NAMESPACE).withName("first").get().getData())
                .containsEntry("greeting", "hello");
        // kubectl sees the same store, through the same kubeconfig.
        assertThat(plane.kubectl("get", "configmap", "first", "-n", NAMESPACE, "-o", "jsonpath={.data.greeting}")
                .orThrow()).isEqualTo("hello");
        assertThat(plane.kubectl("get", "serviceaccount", "default", "-n", NAMESPACE, "-o", "name").orThrow())
                .contains("serviceaccount/default");
    }

    @Test
    @Order(2)
    void apiServerCallsAWebhookOnLoopback() throws IOException {
        TestPki webhookCa = TestPki.newCa("smoke-webhook-ca");
        webhook = denyingWebhook(webhookCa.server("smoke-webhook", List.of("localhost"), List.of("127.0.0.1")),
                webhookCa);
        String url = "https://127.0.0.1:" + webhook.getAddress().getPort() + "/validate";
        KubernetesClient kube = plane.client();
        kube.admissionRegistration().v1().validatingWebhookConfigurations().resource(
                new ValidatingWebhookConfigurationBuilder()
                        .withNewMetadata().withName("smoke-deny-me").endMetadata()
                        .addNewWebhook()
                        .withName("deny-me.smoke.portcullis.io")
                        .withNewClientConfig()
                        .withUrl(url)
                        .withCaBundle(java.util.Base64.getEncoder().encodeToString(
                                webhookCa.ca().certificatePem().getBytes(StandardCharsets.US_ASCII)))
                        .endClientConfig()
                        .addNewRule()
                        .withOperations("CREATE")
                        .withApiGroups("")
                        .withApiVersions("v1")
                        .withResources("configmaps")
                        .withScope("Namespaced")
                        .endRule()
                        .withNewNamespaceSelector().addToMatchLabels("portcullis.io/smoke", "true")
                        .endNamespaceSelector()
                        .withSideEffects("None")
                        .withAdmissionReviewVersions("v1")
                        .withFailurePolicy("Fail")
                        .withTimeoutSeconds(10)
                        .endWebhook()
                        .build())
                .create();

        // The API server loads webhook configurations from its informer: the first creates may pass unseen.
        KubernetesClientException refused = awaitRefusal(kube, Duration.ofSeconds(60));

        assertThat(refused.getCode()).isEqualTo(403);
        assertThat(refused.getMessage()).contains("deny-me.smoke.portcullis.io").contains(DENIAL);
        assertThat(kube.configMaps().inNamespace(NAMESPACE).withName("deny-me").get()).isNull();
        // Allowed names pass the same webhook, which saw them.
        int before = reviews.get();
        kube.configMaps().inNamespace(NAMESPACE).resource(configMap("allowed")).create();
        assertThat(reviews.get()).isGreaterThan(before);
        // kubectl reports the webhook's message as well.
        Kubectl.Result viaKubectl = plane.kubectl("create", "configmap", "deny-me", "-n", NAMESPACE,
                "--from-literal=greeting=hello");
        assertThat(viaKubectl.exitCode()).isNotZero();
        assertThat(viaKubectl.stderr()).contains(DENIAL);
    }

    @Test
    @Order(3)
    void closeStopsEveryProcessItStarted() {
        assertThat(started).hasSize(2).allMatch(ProcessHandle::isAlive);
        plane.close();

        assertThat(started).noneMatch(ProcessHandle::isAlive);
        assertThat(plane.processes()).isEmpty();
        assertThat(plane.workDir().resolve("kube-apiserver.log")).exists();
        assertThat(plane.workDir().resolve("etcd.log")).exists();
        assertThat(Files.exists(plane.workDir().resolve("etcd-data"))).isFalse();
        int port = URI.create(plane.apiServerUrl()).getPort();
        assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class);
    }

    private KubernetesClientException awaitRefusal(KubernetesClient kube, Duration limit) {
        Instant deadline = Instant.now().plus(limit);
        while (true) {
            try {
                kube.configMaps().inNamespace(NAMESPACE).resource(configMap("deny-me")).create();
            } catch (KubernetesClientException e) {
                if (e.getCode() == 403 || Instant.now().isAfter(deadline)) {
                    return e;
                }
            }
            kube.configMaps().inNamespace(NAMESPACE).withName("deny-me").delete();
            assertThat(Instant.now()).as("the webhook was never called").isBefore(deadline);
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** An HTTPS server answering AdmissionReviews: denies ConfigMaps named deny-me, allows the rest. */
    private HttpsServer denyingWebhook(TestPki.Issued serving, TestPki ca) throws IOException {
        HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(serving.sslContext(ca.caCertificate())));
        server.setExecutor(webhookThreads);
        server.createContext("/validate", exchange -> answer(exchange));
        server.start();
        return server;
    }

    private void answer(HttpExchange exchange) throws IOException {
        try (exchange) {
            JsonNode review = JSON.readTree(exchange.getRequestBody());
            reviews.incrementAndGet();
            JsonNode request = review.path("request");
            boolean deny = "deny-me".equals(request.path("name").asString());
            ObjectNode response = JSON.createObjectNode();
            response.put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
            ObjectNode body = response.putObject("response");
            body.put("uid", request.path("uid").asString()).put("allowed", !deny);
            if (deny) {
                body.putObject("status").put("code", 403).put("message", DENIAL);
            }
            byte[] bytes = JSON.writeValueAsBytes(response);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private static ConfigMap configMap(String name) {
        return new ConfigMapBuilder().withNewMetadata().withName(name).endMetadata()
                .addToData("greeting", "hello").build();
    }
}
