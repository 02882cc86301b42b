package io.portcullis.externaldata;

import io.portcullis.json.JsonFields;
import io.portcullis.tls.Pem;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * One {@code Provider} (externaldata.gatekeeper.sh v1beta1 or v1alpha1, cluster-scoped): where to ask, how long to
 * wait, and the only CA its certificate may chain to.
 *
 * @param caBundle the base64 text of spec.caBundle, as written (a changed bundle makes a new client)
 * @param trusted the certificates of that bundle
 */
public record Provider(String name, URI url, Duration timeout, String caBundle,
        List<X509Certificate> trusted) {
    public static final String GROUP = "externaldata.gatekeeper.sh";
    public static final String KIND = "Provider";

    public Provider {
        trusted = List.copyOf(trusted);
    }

    public static boolean isProvider(JsonNode object) {
        String apiVersion = JsonFields.text(object.get("apiVersion"));
        return KIND.equals(JsonFields.text(object.get("kind")))
                && (apiVersion.equals(GROUP + "/v1beta1") || apiVersion.equals(GROUP + "/v1alpha1"));
    }

    /**
     * Reads and checks a Provider as Gatekeeper's provider cache does on upsert, with its messages: a name, a URL,
     * a timeout, and for https (the only scheme allowed) a caBundle that decodes to a PEM certificate. Unlike
     * Gatekeeper's code (which takes 0 and then times every request out at once) and like its documentation, the
     * timeout must be positive.
     */
    public static Provider parse(JsonNode object) throws InvalidProviderException {
        String name = JsonFields.name(object);
        if (name.isEmpty()) {
            throw new InvalidProviderException("provider name can not be empty. value " + name);
        }
        JsonNode spec = object.path("spec");
        String url = JsonFields.text(spec.get("url"));
        if (url.isEmpty()) {
            throw new InvalidProviderException("invalid provider url. value: " + url);
        }
        JsonNode timeoutNode = spec.get("timeout");
        long timeout = timeoutNode == null || timeoutNode.isNull() ? 0 : timeoutNode.asLong(0);
        if (timeout <= 0) {
            throw new InvalidProviderException("provider timeout should be a positive integer. value: " + timeout);
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new InvalidProviderException("parse \"" + url + "\": " + e.getReason());
        }
        if (!"https".equals(uri.getScheme())) {
            throw new InvalidProviderException("only HTTPS scheme is supported for Providers");
        }
        String caBundle = JsonFields.text(spec.get("caBundle"));
        if (caBundle.isEmpty()) {
            throw new InvalidProviderException("caBundle should be set for HTTPS scheme");
        }
        return new Provider(name, uri, Duration.ofSeconds(timeout), caBundle, certificates(caBundle));
    }

    private static List<X509Certificate> certificates(String caBundle) throws InvalidProviderException {
        String pem;
        try {
            pem = new String(Base64.getDecoder().decode(caBundle.trim()), StandardCharsets.US_ASCII);
        } catch (IllegalArgumentException e) {
            throw new InvalidProviderException("failed to base64 decode caBundle: " + e.getMessage());
        }
        if (!pem.contains("-----BEGIN ")) {
            throw new InvalidProviderException("bad caBundle");
        }
        try {
            return Pem.certificates(pem);
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new InvalidProviderException("failed to parse caBundle: " + e.getMessage());
        }
    }
}
