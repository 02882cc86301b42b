package io.portcullis.policy;

import io.portcullis.constraint.TemplateCompiler;
import io.portcullis.engine.PolicyEngine;
import io.portcullis.mutation.AdmissionMutator;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The engine and the pieces built on it, one of each per server. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(EngineProperties.class)
public class EngineConfiguration {

    @Bean(destroyMethod = "close")
    PolicyEngine policyEngine(EngineProperties properties) {
        return new PolicyEngine(properties.toConfig());
    }

    @Bean
    TemplateCompiler templateCompiler(PolicyEngine engine, PortcullisProperties portcullis) {
        return new TemplateCompiler(engine, portcullis.enableK8sNativeValidation());
    }

    @Bean
    AdmissionMutator admissionMutator() {
        return new AdmissionMutator();
    }
}
