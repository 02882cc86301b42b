package io.portcullis.tls;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.WebhookClientConfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;

/**
 * Puts our CA bundle into {@code clientConfig.caBundle} of every webhook of our ValidatingWebhookConfiguration
 * and MutatingWebhookConfiguration, as cert-controller does for Gatekeeper, so the API server trusts the
 * serving certificate.
 *
 * <p>Patches only what differs, with a JSON Patch that carries the resourceVersion read: a configuration
 * changed between our read and our patch (another replica, {@code kubectl apply}) makes the patch fail with a
 * conflict instead of being overwritten from a stale view. Adding trust is always safe; a patch that would
 * stop trusting a CA is made only after the caller confirms the bundle is still current, so a replica with an
 * old read of the Secret never removes a CA another replica has just started using.
 */
public final class WebhookCaBundle {

    /** What happened to each configuration: patched, already right, or not found (not installed yet). */
    public record Result(List<String> patched, List<String> unchanged, List<String> missing) {
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final KubernetesClient client;
    private final String validatingName;
    private final String mutatingName;

    /** Blank names are skipped. */
    public WebhookCaBundle(KubernetesClient client, String validatingName, String mutatingName) {
        this.client = client;
        this.validatingName = validatingName;
        this.mutatingName = mutatingName;
    }

    /**
     * Sets every webhook's caBundle to {@code caBundle} (base64 of the PEM CAs).
     *
     * @param stillCurrent asked before a patch that drops a CA; false aborts with a conflict
     * @throws CertificateConflictException a configuration changed under us, or the bundle is no longer current
     */
    public Result apply(String caBundle, BooleanSupplier stillCurrent) {
        List<String> patched = new ArrayList<>();
        List<String> unchanged = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        if (!validatingName.isBlank()) {
            var resource = client.admissionRegistration().v1().validatingWebhookConfigurations()
                    .withName(validatingName);
            var found = resource.get();
            List<WebhookClientConfig> configs = found == null ? List.of()
                    : found.getWebhooks().stream().map(ValidatingWebhook::getClientConfig).toList();
            sort(apply("ValidatingWebhookConfiguration", validatingName, resource, found, configs, caBundle,
                    stillCurrent), "ValidatingWebhookConfiguration/" + validatingName, patched, unchanged, missing);
        }
        if (!mutatingName.isBlank()) {
            var resource = client.admissionRegistration().v1().mutatingWebhookConfigurations()
                    .withName(mutatingName);
            var found = resource.get();
            List<WebhookClientConfig> configs = found == null ? List.of()
                    : found.getWebhooks().stream().map(MutatingWebhook::getClientConfig).toList();
            sort(apply("MutatingWebhookConfiguration", mutatingName, resource, found, configs, caBundle,
                    stillCurrent), "MutatingWebhookConfiguration/" + mutatingName, patched, unchanged, missing);
        }
        return new Result(patched, unchanged, missing);
    }

    private enum Outcome { PATCHED, UNCHANGED, MISSING }

    private static void sort(Outcome outcome, String what, List<String> patched, List<String> unchanged,
            List<String> missing) {
        switch (outcome) {
            case PATCHED -> patched.add(what);
            case UNCHANGED -> unchanged.add(what);
            case MISSING -> missing.add(what);
        }
    }

    private static <T extends HasMetadata> Outcome apply(String kind, String name, Resource<T> resource, T found,
            List<WebhookClientConfig> configs, String caBundle, BooleanSupplier stillCurrent) {
        if (found == null) {
            return Outcome.MISSING;
        }
        Set<X509Certificate> wanted = new HashSet<>(certificates(caBundle));
        ArrayNode patch = JSON.createArrayNode();
        // Optimistic locking in a patch: the patched object carries the resourceVersion we read, so the API
        // server refuses it (409) when the configuration has changed since.
        patch.addObject().put("op", "replace").put("path", "/metadata/resourceVersion")
                .put("value", found.getMetadata().getResourceVersion());
        boolean dropsTrust = false;
        for (int i = 0; i < configs.size(); i++) {
            String current = configs.get(i).getCaBundle();
            if (caBundle.equals(current)) {
                continue;
            }
            dropsTrust |= !wanted.containsAll(certificates(current));
            patch.addObject().put("op", "add").put("path", "/webhooks/" + i + "/clientConfig/caBundle")
                    .put("value", caBundle);
        }
        if (patch.size() == 1) {
            return Outcome.UNCHANGED;
        }
        if (dropsTrust && !stillCurrent.getAsBoolean()) {
            throw new CertificateConflictException("the certificate Secret changed while the caBundle of " + kind
                    + "/" + name + " was being updated", null);
        }
        try {
            resource.patch(PatchContext.of(PatchType.JSON), JSON.writeValueAsString(patch));
        } catch (KubernetesClientException e) {
            // Changed since read: 409; deleted in between: 404.
            if (e.getCode() == 409 || e.getCode() == 404) {
                throw new CertificateConflictException(kind + "/" + name + " changed while its caBundle was "
                        + "being patched", e);
            }
            throw e;
        }
        return Outcome.PATCHED;
    }

    /** The certificates in a caBundle value; none when it is empty or unreadable. */
    static List<X509Certificate> certificates(String caBundle) {
        if (caBundle == null || caBundle.isBlank()) {
            return List.of();
        }
        try {
            return Pem.certificates(new String(Base64.getDecoder().decode(caBundle), StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            return List.of();
        }
    }
}
