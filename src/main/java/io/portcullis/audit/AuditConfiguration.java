package io.portcullis.audit;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.portcullis.kube.lease.Leadership;
import io.portcullis.policy.ActivePolicies;
import io.portcullis.policy.Readiness;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The in-cluster audit ({@code portcullis.source=kubernetes}, {@code portcullis.audit.enabled}, default true).
 * Audits the policies io.portcullis.kube keeps in {@link ActivePolicies}, and waits for {@link Readiness}
 * (policies loaded) before the first run.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "portcullis.source", havingValue = "kubernetes")
@ConditionalOnBooleanProperty(name = "portcullis.audit.enabled", matchIfMissing = true)
@EnableConfigurationProperties(AuditProperties.class)
public class AuditConfiguration {

    @Bean
    AuditMetrics auditMetrics(MeterRegistry registry) {
        return new AuditMetrics(registry);
    }

    /** Uses the application's KubernetesClient and Leadership (io.portcullis.kube makes them). */
    @Bean(initMethod = "start", destroyMethod = "close")
    AuditManager auditManager(KubernetesClient client, Leadership leadership, ActivePolicies active,
            Readiness readiness, AuditProperties properties, AuditMetrics metrics,
            ObjectProvider<AuditRun.ViolationListener> violationEvents) {
        AuditManager manager = new AuditManager(client, active::current, readiness::isReady, properties, leadership,
                metrics);
        // --emit-audit-events (io.portcullis.events), before the first run.
        violationEvents.ifAvailable(manager::reportViolationsTo);
        return manager;
    }
}
