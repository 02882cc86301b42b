package io.portcullis.webhook;

import io.micrometer.core.instrument.MeterRegistry;
import io.portcullis.admission.AdmissionHandler;
import io.portcullis.admission.AdmissionReviewReader;
import io.portcullis.admission.AdmissionReviewWriter;
import io.portcullis.policy.PolicyFilesConfiguration;
import io.portcullis.tls.TlsProperties;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * Wires the admission transport: parsing limits, the deadline runner, metrics, handlers, the policies probes
 * ({@code policies} here, {@code policyFiles} from {@link PolicyFilesConfiguration}).
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({PortcullisProperties.class, WebhookProperties.class, TlsProperties.class})
@Import(PolicyFilesConfiguration.class)
public class WebhookConfiguration {

    @Bean
    AdmissionReviewReader admissionReviewReader(WebhookProperties properties) {
        return new AdmissionReviewReader(properties.limits());
    }

    @Bean
    AdmissionReviewWriter admissionReviewWriter(WebhookProperties properties) {
        return new AdmissionReviewWriter(properties.limits());
    }

    @Bean(destroyMethod = "close")
    DeadlineRunner deadlineRunner() {
        return new DeadlineRunner();
    }

    @Bean
    WebhookMetrics webhookMetrics(MeterRegistry registry) {
        return new WebhookMetrics(registry);
    }

    /** Handlers are looked up by bean name, so other packages plug in by naming their bean, nothing else. */
    @Bean
    WebhookHandlers webhookHandlers(
            @Qualifier(AdmissionHandler.VALIDATING) ObjectProvider<AdmissionHandler> validating,
            @Qualifier(AdmissionHandler.MUTATING) ObjectProvider<AdmissionHandler> mutating) {
        return WebhookHandlers.orAllowAll(validating.getIfAvailable(), mutating.getIfAvailable());
    }

    /** Health contributor {@code policies}, part of the readiness group (see application.yaml). */
    @Bean
    HealthIndicator policiesHealthIndicator(Readiness readiness) {
        return readiness::health;
    }
}
