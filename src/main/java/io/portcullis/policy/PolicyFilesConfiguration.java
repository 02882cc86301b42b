package io.portcullis.policy;

import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The health contributor {@code policyFiles} (in the readiness group, see application.yaml) and its gauge. It
 * exists in every mode, so the readiness group always finds it; only the directory source reports files in error.
 */
@Configuration(proxyBeanMethods = false)
public class PolicyFilesConfiguration {

    @Bean
    PolicyFileErrors policyFilesHealthIndicator(MeterRegistry registry) {
        return new PolicyFileErrors(registry);
    }
}
