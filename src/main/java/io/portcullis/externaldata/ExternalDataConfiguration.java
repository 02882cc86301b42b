package io.portcullis.externaldata;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.portcullis.tls.TlsProperties;
import java.time.InstantSource;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The Providers in force, the response cache and the client the engine's external_data calls, one of each per
 * server; the webhook's own certificate (portcullis.tls.cert-dir) is the client certificate.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ExternalDataProperties.class)
public class ExternalDataConfiguration {

    @Bean
    Providers providers(TlsProperties tls, MeterRegistry registry) {
        Providers providers = new Providers(ClientCertificate.fromDirectory(tls.certDir()));
        // Gatekeeper's gatekeeper_providers{status} and gatekeeper_provider_error_count.
        Gauge.builder("gatekeeper_providers", providers, Providers::active).tag("status", "active")
                .description("Number of external data providers").register(registry);
        Gauge.builder("gatekeeper_providers", providers, Providers::inError).tag("status", "error")
                .description("Number of external data providers").register(registry);
        FunctionCounter.builder("gatekeeper_provider_error_count", providers, Providers::rejections)
                .description("Number of errors that occurred while loading external data providers")
                .register(registry);
        return providers;
    }

    @Bean
    ExternalDataClient externalDataClient(Providers providers, ExternalDataProperties properties) {
        return new ExternalDataClient(providers,
                new ResponseCache(properties.providerResponseCacheTtl(), InstantSource.system()));
    }
}
