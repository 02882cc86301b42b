package io.portcullis.audit;

import io.portcullis.kube.lease.Leadership;
import io.portcullis.kube.lease.LeaseProperties;
import java.util.ArrayList;
import static io.portcullis.audit.AuditFixtures.constraint;
import static io.portcullis.audit.AuditFixtures.constraintInCluster;
import static io.portcullis.audit.AuditFixtures.createConstraint;
import static io.portcullis.audit.AuditFixtures.createNamespace;
import static io.portcullis.audit.AuditFixtures.createPod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.portcullis.constraint.GatekeeperConfig;
import io.portcullis.mutation.MutationConfig;
import io.portcullis.policy.PolicySnapshot;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

@EnableKubernetesMockClient(crud = true)
class AuditManagerTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    KubernetesClient client;
    KubernetesMockServer server;
    private PolicySnapshot policies;
    private AuditManager first;
    private AuditManager second;
    private KubernetesClient secondClient;

    /** Short lease times and a short interval, so a handover happens within a test. */
    private static AuditProperties properties() {
        return new AuditProperties(true, Duration.ofMillis(300), 500, 20);
    }

    private static final LeaseProperties LEASE = new LeaseProperties("portcullis-audit", Duration.ofSeconds(3),
            Duration.ofSeconds(2), Duration.ofMillis(200));

    /** Each replica's part in the election, closed after the test (closing one hands the Lease over). */
    private final List<Leadership> leaderships = new ArrayList<>();

    private Leadership leadership(KubernetesClient c, String identity) {
        Leadership leadership = new Leadership(c, "portcullis-system", LEASE, identity);
        leaderships.add(leadership);
        return leadership;
    }

    /** A replica stops: its audit and its part in the election. */
    private void stop(AuditManager manager) {
        manager.close();
        leaderships.stream().filter(l -> l.identity().equals(manager.identity())).forEach(Leadership::close);
    }

    @BeforeEach
    void cluster() throws Exception {
        AuditFixtures.serveDiscovery(server);
        ObjectNode owner = constraint("pods-need-owner", "deny", "");
        createConstraint(client, owner);
        createNamespace(client, "team-a", Map.of());
        createPod(client, "team-a", "unowned", Map.of(), Map.of());
        policies = new PolicySnapshot(AuditFixtures.validator(owner), GatekeeperConfig.EMPTY, MutationConfig.EMPTY, List.of());
        // Two replicas: each its own client, as two pods would have.
        secondClient = server.createClient();
    }

    @AfterEach
    void stop() {
        for (AuditManager m : new AuditManager[] {first, second}) {
            if (m != null) {
                m.close();
            }
        }
        leaderships.forEach(Leadership::close);
        secondClient.close();
    }

    private AuditManager manager(KubernetesClient c, String identity) {
        return new AuditManager(c, () -> policies, () -> true, properties(), leadership(c, identity),
                new AuditMetrics(new SimpleMeterRegistry()));
    }

    private String holder() {
        Lease lease = client.leases().inNamespace("portcullis-system").withName("portcullis-audit").get();
        return lease == null ? null : lease.getSpec().getHolderIdentity();
    }

    @Test
    void onlyTheLeaderAuditsAndTheOtherTakesOverWhenItStops() {
        first = manager(client, "replica-a");
        first.start();
        await().atMost(WAIT).until(first::isLeader);
        second = manager(secondClient, "replica-b");
        second.start();

        await().atMost(WAIT).until(() -> first.completedRuns() >= 2);
        assertThat(holder()).isEqualTo("replica-a");
        assertThat(second.isLeader()).isFalse();
        assertThat(second.completedRuns()).isZero();
        assertThat(constraintInCluster(client, "K8sRequiredOwner", "pods-need-owner").at("/status/totalViolations").asLong())
                .isEqualTo(1);

        stop(first);
        long runsOfFirst = first.completedRuns();
        await().atMost(WAIT).until(second::isLeader);
        await().atMost(WAIT).until(() -> second.completedRuns() >= 1);

        assertThat(holder()).isEqualTo("replica-b");
        assertThat(first.isLeader()).isFalse();
        assertThat(first.completedRuns()).isEqualTo(runsOfFirst);
        assertThat(second.lastReport()).hasValueSatisfying(r -> assertThat(r.totalViolations()).isEqualTo(1));
    }

    @Test
    void noRunBeforeThePoliciesAreLoaded() {
        AtomicBoolean loaded = new AtomicBoolean(false);
        first = new AuditManager(client, () -> policies, loaded::get, properties(), leadership(client, "replica-a"),
                new AuditMetrics(new SimpleMeterRegistry()));
        first.start();
        await().atMost(WAIT).until(first::isLeader);
        // Several intervals pass as leader without a run.
        await().pollDelay(Duration.ofMillis(1000)).atMost(WAIT).until(() -> true);
        assertThat(first.completedRuns()).isZero();
        assertThat(constraintInCluster(client, "K8sRequiredOwner", "pods-need-owner").path("status").path("auditTimestamp")
                .isMissingNode()).isTrue();

        loaded.set(true);
        await().atMost(WAIT).until(() -> first.completedRuns() >= 1);
    }

    @Test
    void anIntervalOfZeroDisablesTheAudit() {
        first = new AuditManager(client, () -> policies, () -> true,
                new AuditProperties(true, Duration.ZERO, 500, 20), leadership(client, "replica-a"),
                new AuditMetrics(new SimpleMeterRegistry()));
        first.start();
        await().pollDelay(Duration.ofMillis(500)).atMost(WAIT).until(() -> true);
        assertThat(first.isLeader()).isFalse();
        assertThat(holder()).isNull();
    }
}
