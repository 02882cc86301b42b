package io.portcullis.webhook;

import io.portcullis.policy.Readiness;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import io.portcullis.constraint.GatekeeperConfig;
import io.portcullis.constraint.TemplateCompiler;
import io.portcullis.constraint.Validator;
import io.portcullis.mutation.MutationConfig;
import io.portcullis.policy.ActivePolicies;
import io.portcullis.policy.EngineConfiguration;
import io.portcullis.policy.PolicySnapshot;
import io.portcullis.tls.Pem;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;

/**
 * The webhook transport started for real: HTTPS on a random port with certificates generated into a temp
 * directory, and clients that trust only the generated CA.
 */
final class TestServer implements AutoCloseable {

    /**
     * The transport and actuator without the rest of {@code io.portcullis} (no component scan), so these tests
     * see only the handlers they define. Not a {@code @Configuration}: nothing else's scan picks it up. No source
     * publishes policies: until {@link #policiesInForce()} the webhooks answer 503.
     */
    @EnableAutoConfiguration
    @Import({WebhookConfiguration.class, AdmissionController.class, Readiness.class, ActivePolicies.class,
            EngineConfiguration.class})
    static final class Transport {
    }

    final ConfigurableApplicationContext context;
    final Path certDir;
    final int port;

    private TestServer(ConfigurableApplicationContext context, Path certDir) {
        this.context = context;
        this.certDir = certDir;
        this.port = ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    static TestServer start(Path certDir, List<Class<?>> handlerConfigs, String... properties) {
        List<Class<?>> sources = new ArrayList<>(List.of(Transport.class));
        sources.addAll(handlerConfigs);
        return run(sources.toArray(Class<?>[]::new), certDir, properties);
    }

    /**
     * The whole application as {@code portcullis serve} runs it (every {@code io.portcullis} bean: policies from
     * directories, the real handlers), with application.yaml's defaults except for the port and certificates.
     */
    static TestServer startApplication(Path certDir, String... properties) {
        return run(new Class<?>[0], certDir, properties);
    }

    private static TestServer run(Class<?>[] sources, Path certDir, String... properties) {
        List<String> args = new ArrayList<>(List.of(
                "--server.port=0",
                "--portcullis.tls.cert-dir=" + certDir,
                "--spring.ssl.bundle.watch.file.quiet-period=100ms"));
        for (String property : properties) {
            args.add("--" + property);
        }
        ConfigurableApplicationContext context = PortcullisServer.application(sources).run(args.toArray(String[]::new));
        return new TestServer(context, certDir);
    }

    /** Waits, bounded, until the readiness probe answers 200 (policies loaded); fails with its last answer. */
    void awaitReady(Duration timeout) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        HttpResponse<String> last = get("/readyz");
        while (last.statusCode() != 200 && System.nanoTime() < end) {
            Thread.sleep(100);
            last = get("/readyz");
        }
        if (last.statusCode() != 200) {
            throw new AssertionError("not ready within " + timeout + ": " + last.statusCode() + " " + last.body());
        }
    }

    /** Publishes an empty policy set as a complete load, as a source does, so that the webhooks' handlers run. */
    TestServer policiesInForce() {
        ActivePolicies policies = context.getBean(ActivePolicies.class);
        policies.publish(new PolicySnapshot(new Validator(context.getBean(TemplateCompiler.class)),
                GatekeeperConfig.EMPTY, MutationConfig.EMPTY, List.of()));
        return this;
    }

    URI uri(String path) {
        return URI.create("https://localhost:" + port + path);
    }

    /** A new client (so a new connection) trusting the CA now in the cert directory. */
    HttpClient client() throws Exception {
        return HttpClient.newBuilder().sslContext(sslContext(certDir)).connectTimeout(Duration.ofSeconds(10)).build();
    }

    /** TLS trusting only the CA now in this cert directory. */
    static SSLContext sslContext(Path certDir) throws Exception {
        X509Certificate ca = Pem.certificate(Files.readString(certDir.resolve("ca.crt")));
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("portcullis-ca", ca);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        return ssl;
    }

    HttpResponse<String> post(String path, String body) throws Exception {
        return post(path, HttpRequest.BodyPublishers.ofString(body));
    }

    HttpResponse<String> post(String path, HttpRequest.BodyPublisher body) throws Exception {
        try (HttpClient client = client()) {
            return client.send(HttpRequest.newBuilder(uri(path))
                    .timeout(Duration.ofSeconds(60))
                    .header("Content-Type", "application/json")
                    .POST(body).build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    HttpResponse<String> get(String path) throws Exception {
        try (HttpClient client = client()) {
            return client.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        }
    }

    @Override
    public void close() throws IOException {
        context.close();
    }
}
