package io.portcullis.audit;

import io.portcullis.kube.lease.Leadership;
import io.portcullis.kube.lease.LeaseProperties;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.portcullis.constraint.TemplateCompiler;
import io.portcullis.policy.ActivePolicies;
import io.portcullis.policy.PortcullisProperties;
import io.portcullis.policy.Readiness;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** When the audit is wired into the server, and how its settings bind. */
@EnableKubernetesMockClient(crud = true)
class AuditConfigurationTest {
    KubernetesClient client;

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties({PortcullisProperties.class, LeaseProperties.class})
    static class Server {
        /** As io.portcullis.kube's configuration makes it. */
        @Bean(destroyMethod = "close")
        Leadership leadership(KubernetesClient client, PortcullisProperties portcullis, LeaseProperties lease) {
            return new Leadership(client, portcullis.namespace(), lease, Leadership.identity("test"));
        }

        @Bean
        TemplateCompiler templateCompiler() {
            return AuditFixtures.COMPILER;
        }

        @Bean
        ActivePolicies activePolicies(TemplateCompiler compiler) {
            return new ActivePolicies(compiler);
        }

        @Bean
        Readiness readiness(org.springframework.context.ApplicationEventPublisher events) {
            return new Readiness(events);
        }

        @Bean
        MeterRegistry meterRegistry() {
            return new SimpleMeterRegistry();
        }
    }

    private ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withUserConfiguration(Server.class, AuditConfiguration.class)
                .withBean(KubernetesClient.class, () -> client)
                // No election in these tests.
                .withPropertyValues("portcullis.audit.interval=0");
    }

    @Test
    void inTheClusterTheAuditRunsByDefault() {
        runner().withPropertyValues("portcullis.source=kubernetes").run(context -> {
            assertThat(context).hasSingleBean(AuditManager.class).hasSingleBean(AuditMetrics.class);
            AuditProperties properties = context.getBean(AuditProperties.class);
            assertThat(properties.chunkSize()).isEqualTo(500);
            assertThat(properties.violationsLimit()).isEqualTo(20);
            assertThat(context.getBean(LeaseProperties.class).leaseName()).isEqualTo("portcullis-audit");
            assertThat(context.getBean(MeterRegistry.class).find("gatekeeper_audit_last_run_time").gauge()).isNotNull();
        });
    }

    @Test
    void notWithLocalDirectoriesNorWhenDisabled() {
        runner().run(context -> assertThat(context).doesNotHaveBean(AuditManager.class));
        runner().withPropertyValues("portcullis.source=kubernetes", "portcullis.audit.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(AuditManager.class));
    }

    @Test
    void aBareIntervalIsSecondsAsGatekeepersFlag() {
        runner().withPropertyValues("portcullis.source=kubernetes", "portcullis.audit.interval=90",
                "portcullis.audit.chunk-size=100", "portcullis.audit.violations-limit=50").run(context -> {
                    AuditProperties properties = context.getBean(AuditProperties.class);
                    assertThat(properties.interval()).isEqualTo(Duration.ofSeconds(90));
                    assertThat(properties.chunkSize()).isEqualTo(100);
                    assertThat(properties.violationsLimit()).isEqualTo(50);
                });
    }

    @Test
    void aBadSettingStopsTheStart() {
        runner().withPropertyValues("portcullis.source=kubernetes", "portcullis.audit.chunk-size=0")
                .run(context -> assertThat(context).hasFailed());
    }
}
