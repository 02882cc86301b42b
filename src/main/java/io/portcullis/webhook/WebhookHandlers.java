package io.portcullis.webhook;

import io.portcullis.admission.AdmissionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The handler behind each webhook: the beans named {@value AdmissionHandler#VALIDATING} and
 * {@value AdmissionHandler#MUTATING}, or {@link AllowAllHandler} for a webhook that has none yet; and the
 * {@link NamespaceLabelHandler}, which needs nothing but the exempt namespaces.
 */
public record WebhookHandlers(AdmissionHandler validating, AdmissionHandler mutating, AdmissionHandler namespaceLabel) {

    private static final Logger log = LoggerFactory.getLogger(WebhookHandlers.class);

    /** Fills a missing handler with {@link AllowAllHandler}, loudly. */
    public static WebhookHandlers orAllowAll(AdmissionHandler validating, AdmissionHandler mutating,
            AdmissionHandler namespaceLabel) {
        return new WebhookHandlers(orAllowAll(Webhook.VALIDATION, AdmissionHandler.VALIDATING, validating),
                orAllowAll(Webhook.MUTATION, AdmissionHandler.MUTATING, mutating), namespaceLabel);
    }

    private static AdmissionHandler orAllowAll(Webhook webhook, String beanName, AdmissionHandler handler) {
        if (handler != null) {
            return handler;
        }
        log.warn("No AdmissionHandler bean named '{}': {} allows every request unchanged", beanName,
                webhook.path());
        return new AllowAllHandler();
    }
}
