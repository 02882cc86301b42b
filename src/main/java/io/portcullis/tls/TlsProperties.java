package io.portcullis.tls;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code portcullis.tls.*}: where the webhook's certificates are and how they are generated.
 *
 * @param certDir     directory with ca.crt, ca.key, tls.crt, tls.key (the server's SSL bundle reads tls.*)
 * @param generate    create or renew missing/unfit certificates; false only checks them (use for certificates
 *                    issued elsewhere, e.g. a read-only Secret mount from cert-manager)
 * @param serviceName the Kubernetes Service in front of the webhook; its DNS names become SANs
 * @param extraSans   more DNS names or IP addresses for the serving certificate
 * @param secretName  in a cluster ({@code portcullis.source=kubernetes}): the Secret in {@code portcullis.namespace}
 *                    that holds the certificates for every replica; cert-dir is then a copy of it
 * @param checkInterval in a cluster: how often each replica re-reads the Secret, renews what is unfit and
 *                    re-checks the webhook configurations' caBundle
 * @param validatingWebhookConfiguration in a cluster: the ValidatingWebhookConfiguration whose webhooks get
 *                    our CA as caBundle (empty: none)
 * @param mutatingWebhookConfiguration   the same for the MutatingWebhookConfiguration
 */
@ConfigurationProperties("portcullis.tls")
public record TlsProperties(
        @DefaultValue("certs") Path certDir,
        @DefaultValue("true") boolean generate,
        @DefaultValue(CertificateSpec.DEFAULT_SERVICE_NAME) String serviceName,
        @DefaultValue List<String> extraSans,
        @DefaultValue("EC_P256") KeyAlgorithm keyAlgorithm,
        @DefaultValue("3650d") Duration caValidity,
        @DefaultValue("365d") Duration servingValidity,
        @DefaultValue("90d") Duration renewBefore,
        @DefaultValue(DEFAULT_SECRET_NAME) String secretName,
        @DefaultValue("1h") Duration checkInterval,
        @DefaultValue(DEFAULT_VALIDATING_WEBHOOK_CONFIGURATION) String validatingWebhookConfiguration,
        @DefaultValue(DEFAULT_MUTATING_WEBHOOK_CONFIGURATION) String mutatingWebhookConfiguration) {

    public static final String DEFAULT_SECRET_NAME = "portcullis-webhook-cert";
    public static final String DEFAULT_VALIDATING_WEBHOOK_CONFIGURATION =
            "portcullis-validating-webhook-configuration";
    public static final String DEFAULT_MUTATING_WEBHOOK_CONFIGURATION = "portcullis-mutating-webhook-configuration";

    public CertificateSpec spec(String namespace) {
        return new CertificateSpec(namespace, serviceName, extraSans, keyAlgorithm, caValidity, servingValidity,
                renewBefore);
    }
}
