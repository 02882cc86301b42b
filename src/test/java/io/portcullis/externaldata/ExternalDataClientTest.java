package io.portcullis.externaldata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portcullis.e2e.TestPki;
import io.portcullis.tls.CertificateIssuer;
import io.portcullis.tls.CertificateSpec;
import io.portcullis.tls.Pem;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The external_data client against a real TLS server (MockWebServer): what it sends, how it maps the answers, and
 * what it refuses, with the provider's certificate from a CA of its own and the webhook's certificate from the
 * project's own issuer as the client certificate.
 */
class ExternalDataClientTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration PLENTY = Duration.ofSeconds(30);

    private final TestPki providerPki = TestPki.newCa("provider-ca");
    private final CertificateIssuer.Issued webhookCa = new CertificateIssuer().newCa(CertificateSpec.defaults("portcullis-system"), Instant.now());
    private final CertificateIssuer.Issued webhook = new CertificateIssuer().serving(webhookCa.certificate(),
            webhookCa.key(), CertificateSpec.defaults("portcullis-system"), Instant.now());
    private MockWebServer server;

    @BeforeEach
    void start() throws Exception {
        server = new MockWebServer();
        TestPki.Issued serving = providerPki.server("provider", List.of("localhost"), List.of("127.0.0.1"));
        server.useHttps(serving.sslContext(webhookCa.certificate()).getSocketFactory());
        server.requestClientAuth();
        server.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void postsGatekeepersProviderRequestAndMapsItemsToResponsesAndErrors() throws Exception {
        server.enqueue(json(200, """
                {"apiVersion":"externaldata.gatekeeper.sh/v1beta1","kind":"ProviderResponse","response":{"idempotent":true,
                 "items":[{"key":"nginx:1.27","value":"nginx:1.27_valid"},{"key":"error_busybox","error":"error_busybox_invalid"}]}}"""));

        JsonNode answer = client(cache(Duration.ofMinutes(3))).fetch("p", List.of("nginx:1.27", "error_busybox"), PLENTY);

        RecordedRequest request = server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(request.getMethod()).isEqualTo("POST");
        assertThat(request.getHeaders().get("Content-Type")).isEqualTo("application/json");
        assertThat(JSON.readTree(request.getBody().utf8())).isEqualTo(JSON.readTree("""
                {"apiVersion":"externaldata.gatekeeper.sh/v1beta1","kind":"ProviderRequest",
                 "request":{"keys":["nginx:1.27","error_busybox"]}}"""));
        assertThat(answer).isEqualTo(JSON.readTree("""
                {"responses":[["nginx:1.27","nginx:1.27_valid"]],"errors":[["error_busybox","error_busybox_invalid"]],
                 "status_code":200,"system_error":""}"""));
    }

    @Test
    void presentsTheWebhookCertificateAsClientCertificate() throws Exception {
        server.enqueue(json(200, "{\"response\":{\"items\":[]}}"));

        client(cache(Duration.ZERO)).fetch("p", List.of("a"), PLENTY);

        RecordedRequest request = server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(request.getHandshake().peerCertificates()).first().isEqualTo(webhook.certificate());
    }

    @Test
    void aSystemErrorAndTheStatusCodeAreHandedToTheRego() {
        server.enqueue(json(503, "{\"response\":{\"systemError\":\"testing system error\"}}"));

        JsonNode answer = client(cache(Duration.ZERO)).fetch("p", List.of("a_systemError"), PLENTY);

        assertThat(answer.path("system_error").asString()).isEqualTo("testing system error");
        assertThat(answer.path("status_code").asInt()).isEqualTo(503);
        assertThat(answer.path("responses")).isEmpty();
        assertThat(answer.path("errors")).isEmpty();
    }

    @Test
    void anAnswerThatIsNotAProviderResponseIsA500() {
        server.enqueue(json(200, "<html>gateway</html>"));

        JsonNode answer = client(cache(Duration.ZERO)).fetch("p", List.of("a"), PLENTY);

        assertThat(answer.path("status_code").asInt()).isEqualTo(500);
        assertThat(answer.path("system_error").asString()).startsWith("failed to unmarshal external data response: ");
        assertThat(answer.path("responses").isNull()).isTrue();
        assertThat(answer.path("errors").isNull()).isTrue();
    }

    @Test
    void aProviderSlowerThanItsTimeoutIsA500() {
        server.enqueue(new MockResponse.Builder().code(200).body("{}").headersDelay(5, TimeUnit.SECONDS).build());

        JsonNode answer = client(cache(Duration.ZERO), 1).fetch("p", List.of("a"), PLENTY);

        assertThat(answer.path("status_code").asInt()).isEqualTo(500);
        assertThat(answer.path("system_error").asString()).startsWith("failed to send external data request: ");
    }

    @Test
    void theCallEndsBeforeTheEvaluationDeadlineEvenWhenTheProviderTimeoutIsLonger() {
        server.enqueue(new MockResponse.Builder().code(200).body("{}").headersDelay(5, TimeUnit.SECONDS).build());

        long start = System.nanoTime();
        JsonNode answer = client(cache(Duration.ZERO), 10).fetch("p", List.of("a"), Duration.ofMillis(700));

        assertThat(answer.path("status_code").asInt()).isEqualTo(500);
        // Bounded by the 700 ms left (less the reserve), not the provider's 10 s nor the 5 s delay.
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
    }

    @Test
    void keysInTheCacheAreNotSentAgain() throws Exception {
        server.enqueue(json(200, "{\"response\":{\"idempotent\":true,\"items\":[{\"key\":\"a\",\"value\":\"A\"}]}}"));
        server.enqueue(json(200, "{\"response\":{\"idempotent\":true,\"items\":[{\"key\":\"b\",\"value\":\"B\"}]}}"));
        ExternalDataClient client = client(cache(Duration.ofMinutes(3)));

        client.fetch("p", List.of("a"), PLENTY);
        JsonNode cachedOnly = client.fetch("p", List.of("a"), PLENTY);
        JsonNode mixed = client.fetch("p", List.of("a", "b"), PLENTY);

        assertThat(server.getRequestCount()).isEqualTo(2);
        assertThat(cachedOnly).isEqualTo(JSON.readTree(
                "{\"responses\":[[\"a\",\"A\"]],\"errors\":[],\"status_code\":0,\"system_error\":\"\"}"));
        server.takeRequest();
        assertThat(JSON.readTree(server.takeRequest().getBody().utf8()).at("/request/keys"))
                .isEqualTo(JSON.readTree("[\"b\"]"));
        assertThat(mixed.path("responses")).isEqualTo(JSON.readTree("[[\"a\",\"A\"],[\"b\",\"B\"]]"));
        assertThat(mixed.path("status_code").asInt()).isEqualTo(200);
    }

    @Test
    void aZeroTtlSendsEveryTime() {
        server.enqueue(json(200, "{\"response\":{\"items\":[{\"key\":\"a\",\"value\":\"A\"}]}}"));
        server.enqueue(json(200, "{\"response\":{\"items\":[{\"key\":\"a\",\"value\":\"A\"}]}}"));
        ExternalDataClient client = client(cache(Duration.ZERO));

        client.fetch("p", List.of("a"), PLENTY);
        client.fetch("p", List.of("a"), PLENTY);

        assertThat(server.getRequestCount()).isEqualTo(2);
    }

    @Test
    void anExpiredEntryIsSentAgain() {
        server.enqueue(json(200, "{\"response\":{\"items\":[{\"key\":\"a\",\"value\":\"A\"}]}}"));
        server.enqueue(json(200, "{\"response\":{\"items\":[{\"key\":\"a\",\"value\":\"A2\"}]}}"));
        AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-06T00:00:00Z"));
        ExternalDataClient client = client(new ResponseCache(Duration.ofMinutes(3), now::get));

        client.fetch("p", List.of("a"), PLENTY);
        now.set(now.get().plus(Duration.ofMinutes(2)));
        client.fetch("p", List.of("a"), PLENTY);
        now.set(now.get().plus(Duration.ofMinutes(2)));
        JsonNode after = client.fetch("p", List.of("a"), PLENTY);

        assertThat(server.getRequestCount()).isEqualTo(2);
        assertThat(after.path("responses")).isEqualTo(JSON.readTree("[[\"a\",\"A2\"]]"));
    }

    @Test
    void aProviderCertificateFromAnotherCaIsRefused() {
        TestPki other = TestPki.newCa("someone-else");
        Providers providers = new Providers(ClientCertificate.of(webhook.certificate(), webhook.key()));
        providers.upsert(provider("p", server.url("/validate").toString(), 3, other.caCertificate()));

        JsonNode answer = new ExternalDataClient(providers, cache(Duration.ZERO)).fetch("p", List.of("a"), PLENTY);

        assertThat(answer.path("status_code").asInt()).isEqualTo(500);
        assertThat(answer.path("system_error").asString()).startsWith("failed to send external data request: ");
        assertThat(server.getRequestCount()).isZero();
    }

    @Test
    void aProviderCertificateForAnotherHostIsRefused() throws Exception {
        try (MockWebServer elsewhere = new MockWebServer()) {
            TestPki.Issued serving = providerPki.server("elsewhere", List.of("elsewhere.example"), List.of());
            elsewhere.useHttps(serving.sslContext(webhookCa.certificate()).getSocketFactory());
            elsewhere.start();
            Providers providers = new Providers(ClientCertificate.of(webhook.certificate(), webhook.key()));
            providers.upsert(provider("p", elsewhere.url("/validate").toString(), 3, providerPki.caCertificate()));

            JsonNode answer = new ExternalDataClient(providers, cache(Duration.ZERO)).fetch("p", List.of("a"), PLENTY);

            assertThat(answer.path("status_code").asInt()).isEqualTo(500);
            assertThat(elsewhere.getRequestCount()).isZero();
        }
    }

    @Test
    void anUnknownProviderIsA400WithGatekeepersMessage() {
        JsonNode answer = client(cache(Duration.ZERO)).fetch("missing", List.of("a"), PLENTY);

        assertThat(answer).isEqualTo(JSON.readTree(
                "{\"responses\":null,\"errors\":null,\"status_code\":400,\"system_error\":\"key is not found in provider cache\"}"));
    }

    @Test
    void aDeletedProvidersCachedAnswersAreNotGivenOut() {
        server.enqueue(json(200, "{\"response\":{\"idempotent\":true,\"items\":[{\"key\":\"a\",\"value\":\"A\"}]}}"));
        Providers providers = new Providers(ClientCertificate.of(webhook.certificate(), webhook.key()));
        providers.upsert(provider("p", server.url("/validate").toString(), 3, providerPki.caCertificate()));
        ExternalDataClient client = new ExternalDataClient(providers, cache(Duration.ofMinutes(3)));
        assertThat(client.fetch("p", List.of("a"), PLENTY).path("status_code").asInt()).isEqualTo(200);

        providers.remove("p");

        assertThat(client.fetch("p", List.of("a"), PLENTY)).isEqualTo(JSON.readTree(
                "{\"responses\":null,\"errors\":null,\"status_code\":400,\"system_error\":\"key is not found in provider cache\"}"));
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    // ---- Provider validation, with Gatekeeper's messages ----

    @Test
    void httpIsRefused() {
        assertThatThrownBy(() -> Provider.parse(manifest("http://example.com/validate", "3", caBundle(providerPki.caCertificate()))))
                .isInstanceOf(InvalidProviderException.class)
                .hasMessage("only HTTPS scheme is supported for Providers");
    }

    @Test
    void aProviderNeedsACaBundleThatParses() {
        assertThatThrownBy(() -> Provider.parse(manifest("https://p/validate", "3", null)))
                .hasMessage("caBundle should be set for HTTPS scheme");
        assertThatThrownBy(() -> Provider.parse(manifest("https://p/validate", "3", "%%%")))
                .hasMessageStartingWith("failed to base64 decode caBundle: ");
        assertThatThrownBy(() -> Provider.parse(manifest("https://p/validate", "3",
                Base64.getEncoder().encodeToString("not pem".getBytes(StandardCharsets.US_ASCII)))))
                .hasMessage("bad caBundle");
        assertThatThrownBy(() -> Provider.parse(manifest("https://p/validate", "3", Base64.getEncoder().encodeToString(
                "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n".getBytes(StandardCharsets.US_ASCII)))))
                .hasMessageStartingWith("failed to parse caBundle: ");
    }

    @Test
    void theTimeoutMustBePositive() {
        assertThatThrownBy(() -> Provider.parse(manifest("https://p/validate", "0", caBundle(providerPki.caCertificate()))))
                .hasMessage("provider timeout should be a positive integer. value: 0");
        assertThatThrownBy(() -> Provider.parse(manifest("", "3", caBundle(providerPki.caCertificate()))))
                .hasMessage("invalid provider url. value: ");
    }

    // ---- helpers ----

    private ExternalDataClient client(ResponseCache cache) {
        return client(cache, 3);
    }

    private ExternalDataClient client(ResponseCache cache, int timeoutSeconds) {
        Providers providers = new Providers(ClientCertificate.of(webhook.certificate(), webhook.key()));
        providers.upsert(provider("p", server.url("/validate").toString(), timeoutSeconds, providerPki.caCertificate()));
        return new ExternalDataClient(providers, cache);
    }

    private static ResponseCache cache(Duration ttl) {
        return new ResponseCache(ttl, InstantSource.system());
    }

    private static Provider provider(String name, String url, int timeoutSeconds, X509Certificate ca) {
        try {
            JsonNode manifest = manifest(url, String.valueOf(timeoutSeconds), caBundle(ca));
            ((tools.jackson.databind.node.ObjectNode) manifest.path("metadata")).put("name", name);
            return Provider.parse(manifest);
        } catch (InvalidProviderException e) {
            throw new AssertionError(e);
        }
    }

    private static JsonNode manifest(String url, String timeout, String caBundle) {
        var spec = JSON.createObjectNode().put("url", url).put("timeout", Integer.parseInt(timeout));
        if (caBundle != null) {
            spec.put("caBundle", caBundle);
        }
        var provider = JSON.createObjectNode().put("apiVersion", "externaldata.gatekeeper.sh/v1beta1").put("kind", "Provider");
        provider.putObject("metadata").put("name", "p");
        provider.set("spec", spec);
        return provider;
    }

    private static String caBundle(X509Certificate ca) {
        return Base64.getEncoder().encodeToString(Pem.encode(ca).getBytes(StandardCharsets.US_ASCII));
    }

    private static MockResponse json(int code, String body) {
        return new MockResponse.Builder().code(code).setHeader("Content-Type", "application/json").body(body).build();
    }
}
