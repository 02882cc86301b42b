package io.portcullis.audit;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.core.instrument.MeterRegistry;
import io.portcullis.policy.ActivePolicies;
import io.portcullis.policy.PortcullisProperties;
import io.portcullis.policy.Readiness;
import java.util.UUID;
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

    /**
     * Uses the application's KubernetesClient (io.portcullis.kube makes it). Without one, a client of its own
     * from the in-cluster or kubeconfig settings: looked up rather than declared @ConditionalOnMissingBean,
     * because that condition only sees beans of configurations processed earlier.
     */
    @Bean(initMethod = "start", destroyMethod = "close")
    AuditManager auditManager(ObjectProvider<KubernetesClient> clients, ActivePolicies active, Readiness readiness,
            AuditProperties properties, PortcullisProperties portcullis, AuditMetrics metrics,
            ObjectProvider<AuditRun.ViolationListener> violationEvents) {
        KubernetesClient client = clients.getIfAvailable(() -> new KubernetesClientBuilder().build());
        AuditManager manager = new AuditManager(client, active::current, readiness::isReady, properties,
                portcullis.namespace(), identity(), metrics);
        // --emit-audit-events (io.portcullis.events), before the first run.
        violationEvents.ifAvailable(manager::reportViolationsTo);
        return manager;
    }

    /** The pod name (HOSTNAME in a pod) plus a random suffix, as client-go's leader election names holders. */
    static String identity() {
        String host = System.getenv().getOrDefault("HOSTNAME", "portcullis");
        return host + "_" + UUID.randomUUID();
    }
}
