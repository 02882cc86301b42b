package io.portcullis.kube;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.portcullis.webhook.PortcullisProperties;
import java.nio.file.Files;
import java.time.Duration;
import java.util.UUID;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
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
     * SPO's activeWorkloads and in-use finalizers on ProfileBindings, SeccompProfiles and SelinuxProfiles, kept by
     * one replica at a time ({@code portcullis.kubernetes.track-workloads}, default true).
     */
    @Bean(initMethod = "start", destroyMethod = "close")
    @ConditionalOnBooleanProperty(name = "portcullis.kubernetes.track-workloads", matchIfMissing = true)
    WorkloadTracker workloadTracker(KubernetesClient client, KubernetesProperties properties,
            PortcullisProperties portcullis) {
        // Unique per process, as client-go's leader election names holders.
        return new WorkloadTracker(client, portcullis.namespace(), properties.replicaId() + "_" + UUID.randomUUID(),
                Duration.ofSeconds(1));
    }
}
