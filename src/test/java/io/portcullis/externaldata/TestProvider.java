package io.portcullis.externaldata;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.portcullis.e2e.TestPki;
import io.portcullis.tls.Pem;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLPeerUnverifiedException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * An external data provider as one would write it, on the JDK's HTTPS server: it answers Gatekeeper's
 * ProviderRequest for image keys, flagging as an error ("KEY is flagged") every image whose name contains
 * "flagged" and answering "KEY_valid" for the others. It serves a certificate of its own CA, asks callers for a
 * client certificate signed by {@code clientCa} (when given) and records the requests and the certificates it saw.
 */
public final class TestProvider implements AutoCloseable {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** One request as the provider saw it. */
    public record Seen(String method, String contentType, JsonNode body, List<X509Certificate> clientCertificates) {
    }

    private final TestPki pki = TestPki.newCa("test-provider-ca");
    private final HttpsServer server;
    private final List<Seen> seen = new CopyOnWriteArrayList<>();

    /** @param clientCa the CA whose client certificates it requires; null: it asks for none */
    public TestProvider(X509Certificate clientCa) throws IOException {
        TestPki.Issued serving = pki.server("test-provider", List.of("localhost"), List.of("127.0.0.1"));
        SSLContext tls = serving.sslContext(clientCa == null ? pki.caCertificate() : clientCa);
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls) {
            @Override
            public void configure(HttpsParameters params) {
                var parameters = tls.getDefaultSSLParameters();
                parameters.setNeedClientAuth(clientCa != null);
                params.setSSLParameters(parameters);
            }
        });
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/validate", this::handle);
        server.start();
    }

    /** {@code https://127.0.0.1:PORT/validate}. */
    public String url() {
        return "https://127.0.0.1:" + server.getAddress().getPort() + "/validate";
    }

    /** The provider's CA as a Provider's spec.caBundle wants it: base64 of the PEM. */
    public String caBundle() {
        return Base64.getEncoder().encodeToString(Pem.encode(pki.caCertificate()).getBytes(StandardCharsets.US_ASCII));
    }

    /** A Provider manifest for this server. */
    public String providerYaml(String name, int timeoutSeconds) {
        return """
                apiVersion: externaldata.gatekeeper.sh/v1beta1
                kind: Provider
                metadata:
                  name: %s
                spec:
                  url: %s
                  timeout: %d
                  caBundle: %s
                """.formatted(name, url(), timeoutSeconds, caBundle());
    }

    public List<Seen> seen() {
        return List.copyOf(seen);
    }

    private void handle(HttpExchange exchange) throws IOException {
        List<X509Certificate> peers = List.of();
        try {
            Certificate[] chain = ((HttpsExchange) exchange).getSSLSession().getPeerCertificates();
            peers = List.of(chain).stream().map(X509Certificate.class::cast).toList();
        } catch (SSLPeerUnverifiedException e) {
            // no client certificate
        }
        JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
        seen.add(new Seen(exchange.getRequestMethod(), exchange.getRequestHeaders().getFirst("Content-Type"), body, peers));
        ObjectNode answer = JSON.createObjectNode();
        answer.put("apiVersion", "externaldata.gatekeeper.sh/v1beta1");
        answer.put("kind", "ProviderResponse");
        ObjectNode response = answer.putObject("response");
        response.put("idempotent", true);
        ArrayNode items = response.putArray("items");
        for (JsonNode key : body.path("request").path("keys")) {
            ObjectNode item = items.addObject();
            item.set("key", key);
            if (key.asString().contains("flagged")) {
                item.put("error", key.asString() + " is flagged");
            } else {
                item.put("value", key.asString() + "_valid");
            }
        }
        byte[] bytes = JSON.writeValueAsBytes(answer);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
