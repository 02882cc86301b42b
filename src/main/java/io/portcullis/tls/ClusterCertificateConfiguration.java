package io.portcullis.tls;

import java.time.Clock;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * In a cluster ({@code portcullis.source=kubernetes}) with generated certificates: the periodic check of the
 * certificate Secret. Off with {@code portcullis.tls.generate=false}, when certificates come from elsewhere.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "portcullis.source", havingValue = "kubernetes")
@ConditionalOnBooleanProperty(name = "portcullis.tls.generate", matchIfMissing = true)
@EnableConfigurationProperties(TlsProperties.class)
class ClusterCertificateConfiguration {

    /**
     * Uses the application's KubernetesClient (io.portcullis.kube makes it); without one, a client of its own
     * from the usual sources (in-cluster service account, kubeconfig), closed when the rotation stops.
     */
    @Bean
    CertificateRotation certificateRotation(ObjectProvider<KubernetesClient> clients, TlsProperties tls,
            @Value("${portcullis.namespace:" + CertificateBootstrap.DEFAULT_NAMESPACE + "}") String namespace) {
        KubernetesClient shared = clients.getIfAvailable();
        KubernetesClient client = shared != null ? shared : new KubernetesClientBuilder().build();
        AutoCloseable onStop = shared != null ? () -> { } : client::close;
        return new CertificateRotation(SecretCertificateRotator.of(client, tls, namespace), tls.checkInterval(),
                Clock.systemUTC(), onStop);
    }
}
