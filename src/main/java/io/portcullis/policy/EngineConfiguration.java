package io.portcullis.policy;

import io.portcullis.constraint.TemplateCompiler;
import io.portcullis.engine.ExternalData;
import io.portcullis.engine.PolicyEngine;
import io.portcullis.mutation.AdmissionMutator;
import io.portcullis.mutation.gatekeeper.ProviderCalls;
import io.portcullis.mutation.profiles.ProfileBinder;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The engine and the pieces built on it, one of each per server. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(EngineProperties.class)
public class EngineConfiguration {

    /** external_data asks the Providers in force (io.portcullis.externaldata), when that part of the server runs. */
    @Bean(destroyMethod = "close")
    PolicyEngine policyEngine(EngineProperties properties, ObjectProvider<ExternalData> externalData) {
        return new PolicyEngine(properties.toConfig().withExternalData(externalData.getIfAvailable(() -> ExternalData.NONE)));
    }

    @Bean
    TemplateCompiler templateCompiler(PolicyEngine engine, PortcullisProperties portcullis) {
        return new TemplateCompiler(engine, portcullis.enableK8sNativeValidation());
    }

    /** Assign's external data asks the Providers in force, when that part of the server runs. */
    @Bean
    AdmissionMutator admissionMutator(ObjectProvider<ProviderCalls> providerCalls) {
        return new AdmissionMutator(new ProfileBinder(), providerCalls.getIfAvailable(() -> ProviderCalls.NONE));
    }
}
