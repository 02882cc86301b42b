package io.portcullis.kube;

import static io.portcullis.kube.MockCluster.await;
import static io.portcullis.kube.MockCluster.create;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.portcullis.constraint.Constraint;
import io.portcullis.tls.Pem;
import io.portcullis.webhook.PortcullisServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * The whole server as {@code portcullis serve --kubernetes} runs it, against fabric8's mock API server through a
 * kubeconfig: not ready until loaded from the cluster, then a template and constraint created in the cluster deny a
 * Pod over HTTPS at /v1/admit.
 */
@EnableKubernetesMockClient(crud = true)
class ClusterServerTest {
    private static final ResourceDefinitionContext REQUIRED_LABELS = KubeJson.context(Constraint.GROUP, "v1beta1",
            "K8sRequiredLabels", "k8srequiredlabels", false);

    KubernetesClient client;
    @TempDir
    Path dir;
    private ConfigurableApplicationContext server;
    private SharedIndexInformer<CustomResourceDefinition> establisher;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (establisher != null) {
            establisher.stop();
        }
    }

    @Test
    void serveKubernetesEnforcesWhatIsInTheCluster() throws Exception {
        establisher = MockCluster.establishCrds(client);
        Path kubeconfig = dir.resolve("kubeconfig");
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters:
                  - name: mock
                    cluster:
                      server: %s
                      insecure-skip-tls-verify: true
                users:
                  - name: test
                    user:
                      token: test
                contexts:
                  - name: mock
                    context:
                      cluster: mock
                      user: test
                      namespace: portcullis-system
                current-context: mock
                """.formatted(client.getMasterUrl()));
        Path certs = dir.resolve("certs");
        server = PortcullisServer.application().run(
                "--server.port=0",
                "--portcullis.source=kubernetes",
                "--portcullis.kubernetes.kubeconfig=" + kubeconfig,
                "--portcullis.kubernetes.pod-name=portcullis-0",
                "--portcullis.tls.cert-dir=" + certs,
                "--portcullis.audit.enabled=false");
        int port = ((WebServerApplicationContext) server).getWebServer().getPort();
        HttpClient https = https(certs);

        await("ready", () -> get(https, port, "/readyz") == 200);
        assertThat(server.getBean(KubernetesPolicySource.class).isReady()).isTrue();

        create(client, TemplateController.TEMPLATES, KubernetesPolicySourceTest.REQUIRED_LABELS_TEMPLATE);
        await("constraint CRD", () -> MockCluster.get(client, CrdInstaller.CRDS,
                "k8srequiredlabels.constraints.gatekeeper.sh") != null);
        create(client, REQUIRED_LABELS, KubernetesPolicySourceTest.OWNER_CONSTRAINT);

        String review = KubeJson.JSON.writeValueAsString(KubeJson.JSON.createObjectNode()
                .put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview")
                .set("request", MockCluster.createPod(KubernetesPolicySourceTest.UNLABELLED_POD).raw()));
        await("denied over HTTPS", () -> !admit(https, port, review).path("allowed").asBoolean(true));
        JsonNode response = admit(https, port, review);
        assertThat(response.at("/status/message").asString())
                .isEqualTo("[pods-need-owner] you must provide labels: {\"owner\"}");
    }

    private static HttpClient https(Path certs) throws Exception {
        await("certificates", () -> Files.exists(certs.resolve("ca.crt")));
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("portcullis-ca", Pem.certificate(Files.readString(certs.resolve("ca.crt"))));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(10)).build();
    }

    private static int get(HttpClient https, int port, String path) {
        try {
            return https.send(HttpRequest.newBuilder(URI.create("https://localhost:" + port + path)).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private static JsonNode admit(HttpClient https, int port, String review) {
        try {
            HttpResponse<String> answer = https.send(HttpRequest.newBuilder(URI.create("https://localhost:" + port
                    + "/v1/admit")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(review)).build(), HttpResponse.BodyHandlers.ofString());
            return KubeJson.JSON.readTree(answer.body()).path("response");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
