package io.portcullis.kube;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.portcullis.audit.AuditManager;
import io.portcullis.audit.AuditProperties;
import io.portcullis.policy.PortcullisProperties;
import java.nio.file.Files;
import java.time.Duration;
import java.util.UUID;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The Kubernetes client of a server whose policies come from the cluster ({@code portcullis.source=kubernetes}). */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "portcullis.source", havingValue = "kubernetes")
@EnableConfigurationProperties(KubernetesProperties.class)
public class KubernetesConfiguration {
    /** Pod events are gathered for this long before activeWorkloads are recomputed. */
    private static final Duration WORKLOAD_DEBOUNCE = Duration.ofSeconds(1);

    /** From {@code portcullis.kubernetes.kubeconfig} if set, else fabric8's usual search (kubeconfig, then in-cluster). */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    KubernetesClient kubernetesClient(KubernetesProperties properties) {
        Config config;
        if (properties.kubeconfig() != null) {
            if (!Files.isReadable(properties.kubeconfig())) {
                throw new IllegalStateException("cannot read kubeconfig " + properties.kubeconfig());
            }
            // From the file, so that certificate paths in it resolve against its directory.
            config = Config.fromKubeconfig(properties.kubeconfig().toFile());
        } else {
            config = Config.autoConfigure(null);
        }
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    /**
     * SPO's activeWorkloads and in-use finalizers on ProfileBindings, SeccompProfiles and SelinuxProfiles
     * ({@code portcullis.kubernetes.track-workloads}, default true), written by one replica: the one leading the
     * audit, or, when the audit does not run, the holder of the audit's Lease through an election of its own.
     */
    @Bean(initMethod = "start", destroyMethod = "close")
    @ConditionalOnBooleanProperty(name = "portcullis.kubernetes.track-workloads", matchIfMissing = true)
    WorkloadTracker workloadTracker(KubernetesClient client, KubernetesProperties properties,
            PortcullisProperties portcullis, ObjectProvider<AuditManager> audits,
            ObjectProvider<AuditProperties> auditProperties, Environment environment) {
        AuditManager audit = audits.getIfAvailable();
        AuditProperties auditing = auditProperties.getIfAvailable();
        if (audit != null && auditing != null && !auditing.interval().isZero()) {
            return new WorkloadTracker(client, audit::isLeader, WORKLOAD_DEBOUNCE);
        }
        String lease = Binder.get(environment).bind("portcullis.audit.lease-name", String.class).orElse("portcullis-audit");
        // Unique per process, as client-go's leader election names holders.
        return new WorkloadTracker(client, portcullis.namespace(), lease,
                properties.replicaId() + "_" + UUID.randomUUID(), WORKLOAD_DEBOUNCE);
    }
}
