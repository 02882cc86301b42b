package io.portcullis.webhook;

import io.portcullis.policy.PortcullisProperties;
import io.portcullis.policy.Readiness;
import io.micrometer.core.instrument.Gauge;
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
import org.springframework.boot.tomcat.ConfigurableTomcatWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * Wires the admission transport: parsing limits, the handler pool and memory budget, the request start time, metrics,
 * handlers, the policies probes ({@code policies} here, {@code policyFiles} from {@link PolicyFilesConfiguration}).
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
    DeadlineRunner deadlineRunner(WebhookProperties properties, MeterRegistry registry) {
        DeadlineRunner runner = new DeadlineRunner(properties.handlerThreads(), properties.queueCapacity());
        Gauge.builder("portcullis_webhook_requests_running", runner, DeadlineRunner::running)
                .description("Admission requests whose handler runs now").register(registry);
        Gauge.builder("portcullis_webhook_requests_queued", runner, DeadlineRunner::queued)
                .description("Admission requests waiting for a handler thread").register(registry);
        return runner;
    }

    @Bean
    MemoryBudget memoryBudget(WebhookProperties properties, MeterRegistry registry) {
        MemoryBudget budget = properties.budget();
        Gauge.builder("portcullis_webhook_memory_budget_used_bytes", budget, MemoryBudget::used)
                .description("Heap reserved by the admission requests in flight").baseUnit("bytes").register(registry);
        Gauge.builder("portcullis_webhook_memory_budget_bytes", budget, MemoryBudget::capacity)
                .description("Heap the admission requests in flight may reserve together").baseUnit("bytes")
                .register(registry);
        return budget;
    }

    /**
     * Tomcat hooks: each request's start time, where the admission deadline starts; closing instead of draining a
     * body still arriving at the deadline.
     */
    @Bean
    WebServerFactoryCustomizer<ConfigurableTomcatWebServerFactory> admissionValves() {
        return factory -> factory.addEngineValves(new RequestStart(), new CloseUndrained());
    }

    @Bean
    WebhookMetrics webhookMetrics(MeterRegistry registry) {
        return new WebhookMetrics(registry);
    }

    /** Handlers are looked up by bean name, so other packages plug in by naming their bean, nothing else. */
    @Bean
    WebhookHandlers webhookHandlers(
            @Qualifier(AdmissionHandler.VALIDATING) ObjectProvider<AdmissionHandler> validating,
            @Qualifier(AdmissionHandler.MUTATING) ObjectProvider<AdmissionHandler> mutating,
            PortcullisProperties properties) {
        return WebhookHandlers.orAllowAll(validating.getIfAvailable(), mutating.getIfAvailable(),
                new NamespaceLabelHandler(ExemptNamespaces.of(properties)));
    }

    /** Health contributor {@code policies}, part of the readiness group (see application.yaml). */
    @Bean
    HealthIndicator policiesHealthIndicator(Readiness readiness) {
        return readiness::health;
    }
}
