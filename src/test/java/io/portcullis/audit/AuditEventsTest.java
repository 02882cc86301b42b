package io.portcullis.audit;

import static io.portcullis.audit.AuditFixtures.constraint;
import static io.portcullis.audit.AuditFixtures.createConstraint;
import static io.portcullis.audit.AuditFixtures.createNamespace;
import static io.portcullis.audit.AuditFixtures.createPod;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.portcullis.constraint.GatekeeperConfig;
import io.portcullis.events.AuditViolationEvents;
import io.portcullis.events.EventPlacement;
import io.portcullis.events.ClusterEventWriter;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code --emit-audit-events}: a cluster audit reports each violation as a Warning Event with Gatekeeper's reason
 * AuditViolation, message, annotations (auditTimestamp is the audit id) and involved object, written through the
 * API (fabric8's CRUD server) and read back from it.
 */
@EnableKubernetesMockClient(crud = true)
class AuditEventsTest {
    KubernetesClient client;
    KubernetesMockServer server;

    @Test
    void eachAuditViolationIsAnAuditViolationEventInOurNamespace() throws Exception {
        AuditFixtures.serveDiscovery(server);
        ObjectNode owner = constraint("pods-need-owner", "warn", "");
        createConstraint(client, owner);
        createNamespace(client, "team-a", Map.of());
        createPod(client, "team-a", "unowned", Map.of(), Map.of());
        createPod(client, "team-a", "owned", Map.of("owner", "me"), Map.of());

        AuditReport report;
        try (ClusterEventWriter writer = new ClusterEventWriter(client, 100, new SimpleMeterRegistry())) {
            ClusterAudit audit = new ClusterAudit(client, 500, 20);
            audit.reportTo(new AuditViolationEvents(writer, new EventPlacement("portcullis-system", false)));
            report = audit.run(AuditFixtures.validator(owner), GatekeeperConfig.EMPTY, AuditProgress.NONE);
            awaitEvents(1);
        }

        List<Event> events = client.v1().events().inNamespace("portcullis-system").list().getItems();
        assertThat(events).hasSize(1);
        Event event = events.getFirst();
        assertThat(event.getReason()).isEqualTo("AuditViolation");
        assertThat(event.getType()).isEqualTo("Warning");
        assertThat(event.getMessage()).isEqualTo("Resource Namespace: team-a, Constraint: pods-need-owner, Message: "
                + "Pod unowned has no owner label (operation \"\", user {})");
        assertThat(event.getSource().getComponent()).isEqualTo("portcullis-audit");
        assertThat(event.getInvolvedObject().getKind()).isEqualTo("Pod");
        assertThat(event.getInvolvedObject().getName()).isEqualTo("unowned");
        assertThat(event.getInvolvedObject().getNamespace()).isEqualTo("portcullis-system");
        assertThat(event.getInvolvedObject().getUid()).isEqualTo("Pod/team-a/unowned/K8sRequiredOwner//pods-need-owner");
        assertThat(event.getMetadata().getAnnotations()).containsAllEntriesOf(Map.ofEntries(
                Map.entry("process", "audit"), Map.entry("auditTimestamp", report.auditId()),
                Map.entry("event_type", "violation_audited"), Map.entry("constraint_group", "constraints.gatekeeper.sh"),
                Map.entry("constraint_api_version", "v1beta1"), Map.entry("constraint_kind", "K8sRequiredOwner"),
                Map.entry("constraint_name", "pods-need-owner"), Map.entry("constraint_action", "warn"),
                Map.entry("resource_group", ""), Map.entry("resource_api_version", "v1"),
                Map.entry("resource_kind", "Pod"), Map.entry("resource_namespace", "team-a"),
                Map.entry("resource_name", "unowned")));
    }

    @Test
    void withTheInvolvedNamespaceOptionTheAuditEventGoesIntoTheObjectsNamespaceAboutTheObjectItself() throws Exception {
        AuditFixtures.serveDiscovery(server);
        ObjectNode owner = constraint("pods-need-owner", "warn", "");
        createConstraint(client, owner);
        createNamespace(client, "team-a", Map.of());
        createPod(client, "team-a", "unowned", Map.of(), Map.of());

        try (ClusterEventWriter writer = new ClusterEventWriter(client, 100, new SimpleMeterRegistry())) {
            ClusterAudit audit = new ClusterAudit(client, 500, 20);
            audit.reportTo(new AuditViolationEvents(writer, new EventPlacement("portcullis-system", true)));
            audit.run(AuditFixtures.validator(owner), GatekeeperConfig.EMPTY, AuditProgress.NONE);
            awaitEvents("team-a", 1);
        }

        List<Event> events = client.v1().events().inNamespace("team-a").list().getItems();
        assertThat(events).hasSize(1);
        Event event = events.getFirst();
        assertThat(event.getMessage()).isEqualTo("Constraint: pods-need-owner, Message: "
                + "Pod unowned has no owner label (operation \"\", user {})");
        Pod pod = client.pods().inNamespace("team-a").withName("unowned").get();
        assertThat(event.getInvolvedObject().getNamespace()).isEqualTo("team-a");
        assertThat(event.getInvolvedObject().getUid()).isNotEmpty().isEqualTo(pod.getMetadata().getUid());
        assertThat(event.getInvolvedObject().getResourceVersion()).isNotEmpty()
                .isEqualTo(pod.getMetadata().getResourceVersion());
        assertThat(client.v1().events().inNamespace("portcullis-system").list().getItems()).isEmpty();
    }

    private void awaitEvents(int count) throws InterruptedException {
        awaitEvents("portcullis-system", count);
    }

    private void awaitEvents(String namespace, int count) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (client.v1().events().inNamespace(namespace).list().getItems().size() < count
                && System.nanoTime() < end) {
            Thread.sleep(50);
        }
    }
}
