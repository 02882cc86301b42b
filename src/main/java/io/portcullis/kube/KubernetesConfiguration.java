package io.portcullis.kube;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.portcullis.kube.lease.LeaseProperties;
import io.portcullis.kube.lease.Leadership;
import io.portcullis.policy.PortcullisProperties;
import java.nio.file.Files;
import java.time.Duration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The Kubernetes client of a server whose policies come from the cluster ({@code portcullis.source=kubernetes}). */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "portcullis.source", havingValue = "kubernetes")
@EnableConfigurationProperties({KubernetesProperties.class, LeaseProperties.class})
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
     * This replica's part in the election of the one replica that does the cluster-wide work: the audit and
     * workload tracking both follow it. Each joins it when it starts; nothing joins when neither runs.
     */
    @Bean(destroyMethod = "close")
    Leadership leadership(KubernetesClient client, KubernetesProperties properties, PortcullisProperties portcullis,
            LeaseProperties lease) {
        return new Leadership(client, portcullis.namespace(), lease, Leadership.identity(properties.replicaId()));
    }

    /**
     * SPO's activeWorkloads and in-use finalizers on ProfileBindings, SeccompProfiles and SelinuxProfiles
     * ({@code portcullis.kubernetes.track-workloads}, default true), written by the replica that leads.
     */
    @Bean(initMethod = "start", destroyMethod = "close")
    @ConditionalOnBooleanProperty(name = "portcullis.kubernetes.track-workloads", matchIfMissing = true)
    WorkloadTracker workloadTracker(KubernetesClient client, Leadership leadership) {
        return new WorkloadTracker(client, leadership, WORKLOAD_DEBOUNCE);
    }
}
