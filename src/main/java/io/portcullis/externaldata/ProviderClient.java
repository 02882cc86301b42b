package io.portcullis.externaldata;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Sends Gatekeeper's ProviderRequest to one Provider: a POST of
 * {@code {"apiVersion":"externaldata.gatekeeper.sh/v1beta1","kind":"ProviderRequest","request":{"keys":[...]}}}
 * with {@code Content-Type: application/json}, over TLS 1.3 that trusts the provider's caBundle and nothing else,
 * presenting the webhook's certificate. One client (and its connections) per Provider version.
 */
final class ProviderClient {
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    static final String API_VERSION = "externaldata.gatekeeper.sh/v1beta1";

    /** What the provider answered: the HTTP status and its ProviderResponse. */
    record Answer(int statusCode, ProviderResponse response) {
    }

    /** The transport failed or the answer was not a ProviderResponse: Gatekeeper's 500, with its message. */
    static final class ProviderException extends Exception {
        ProviderException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final Provider provider;
    private final HttpClient http;

    ProviderClient(Provider provider, KeyManager clientCertificate) {
        this.provider = provider;
        this.http = HttpClient.newBuilder()
                .sslContext(sslContext(provider.trusted(), clientCertificate))
                .sslParameters(tls13())
                .connectTimeout(provider.timeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    Provider provider() {
        return provider;
    }

    /**
     * Asks about the keys and waits at most {@code timeout} for the whole answer.
     *
     * @throws InterruptedException the evaluation was stopped (its deadline, or the webhook gave up)
     */
    Answer send(List<String> keys, Duration timeout) throws ProviderException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(provider.url())
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(requestBody(keys)))
                .build();
        HttpResponse<byte[]> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new ProviderException("failed to send external data request: Post \"" + provider.url() + "\": "
                    + describe(e), e);
        }
        try {
            return new Answer(response.statusCode(), ProviderResponse.parse(JSON.readTree(response.body())));
        } catch (JacksonException | IllegalArgumentException e) {
            throw new ProviderException("failed to unmarshal external data response: " + e.getMessage(), e);
        }
    }

    static byte[] requestBody(List<String> keys) {
        ObjectNode body = JSON.createObjectNode();
        body.put("apiVersion", API_VERSION);
        body.put("kind", "ProviderRequest");
        ArrayNode array = body.putObject("request").putArray("keys");
        keys.forEach(array::add);
        return JSON.writeValueAsBytes(body);
    }

    private static String describe(IOException e) {
        if (e instanceof java.net.http.HttpTimeoutException) {
            return "context deadline exceeded (Client.Timeout exceeded while awaiting headers)";
        }
        String message = e.getMessage();
        return message == null || message.isEmpty() ? e.getClass().getSimpleName() : message;
    }

    private static SSLContext sslContext(List<X509Certificate> trusted, KeyManager clientCertificate) {
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            for (int i = 0; i < trusted.size(); i++) {
                store.setCertificateEntry("provider-ca-" + i, trusted.get(i));
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLSv1.3");
            context.init(new KeyManager[] {clientCertificate}, trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot set up TLS for provider " + e.getMessage(), e);
        }
    }

    /** Gatekeeper's providers speak TLS 1.3 only (its client's MinVersion). */
    private static SSLParameters tls13() {
        SSLParameters parameters = new SSLParameters();
        parameters.setProtocols(new String[] {"TLSv1.3"});
        return parameters;
    }
}
