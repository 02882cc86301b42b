package io.portcullis.events;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.portcullis.policy.PortcullisProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Wires {@code --log-denies} and the violation Events. Events need the cluster (cluster mode); standalone, the emit
 * options only log that there is nowhere to send them. With every option off there is only an inactive
 * {@link AdmissionViolations}, which the webhook checks once per review with violations.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ViolationReportingProperties.class)
public class ViolationReportingConfiguration {
    private static final Logger log = LoggerFactory.getLogger(ViolationReportingConfiguration.class);

    private static final String IN_CLUSTER = "'${portcullis.source:directories}' == 'kubernetes'";

    @Bean(destroyMethod = "close")
    @ConditionalOnExpression(IN_CLUSTER + " and (${portcullis.violations.emit-admission-events:false}"
            + " or ${portcullis.violations.emit-audit-events:false})")
    ClusterEventWriter clusterEventWriter(KubernetesClient client, ViolationReportingProperties properties,
            MeterRegistry registry) {
        return new ClusterEventWriter(client, properties.eventQueueCapacity(), registry);
    }

    /** The audit's Events; {@code io.portcullis.audit} hands it to the AuditManager. */
    @Bean
    @ConditionalOnExpression(IN_CLUSTER + " and ${portcullis.violations.emit-audit-events:false}")
    AuditViolationEvents auditViolationEvents(ClusterEventWriter writer, ViolationReportingProperties properties,
            PortcullisProperties portcullis) {
        return new AuditViolationEvents(writer,
                new EventPlacement(portcullis.namespace(), properties.auditEventsInvolvedNamespace()));
    }

    @Bean
    AdmissionViolations admissionViolations(ViolationReportingProperties properties,
            ObjectProvider<ClusterEventWriter> writer, PortcullisProperties portcullis) {
        if ((properties.emitAdmissionEvents() || properties.emitAuditEvents()) && writer.getIfAvailable() == null) {
            log.warn("--emit-admission-events/--emit-audit-events: no Events are written without a cluster "
                    + "(portcullis.source=kubernetes)");
        }
        EventSink events = properties.emitAdmissionEvents() ? writer.getIfAvailable() : null;
        return new AdmissionViolations(properties.logDenies(), events,
                new EventPlacement(portcullis.namespace(), properties.admissionEventsInvolvedNamespace()));
    }
}
