package io.portcullis.audit;

import static io.portcullis.audit.AuditFixtures.constraint;
import static io.portcullis.audit.AuditFixtures.constraintInCluster;
import static io.portcullis.audit.AuditFixtures.createConstraint;
import static io.portcullis.audit.AuditFixtures.createNamespace;
import static io.portcullis.audit.AuditFixtures.createPod;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.ListMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.portcullis.constraint.GatekeeperConfig;
import io.portcullis.constraint.Validator;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

@EnableKubernetesMockClient(crud = true)
class ClusterAuditTest {
    KubernetesClient client;
    KubernetesMockServer server;

    @BeforeEach
    void discovery() {
        AuditFixtures.serveDiscovery(server);
    }

    @Test
    void statusGetsTheTotalAndTheFirstTwentyViolationsWithMessagesCutAt256Bytes() throws Exception {
        ObjectNode owner = constraint("pods-need-owner", "deny", "");
        createConstraint(client, owner);
        // Someone else's part of the status (Gatekeeper's byPod) must survive the audit's write.
        client.genericKubernetesResources(ConstraintStatusWriter.constraintContext("K8sRequiredOwner"))
                .withName("pods-need-owner").subresource("status")
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"status\":{\"byPod\":[{\"id\":\"portcullis-0\",\"enforced\":true}]}}");
        createNamespace(client, "team-a", Map.of());
        String longNote = "é".repeat(200);
        for (int i = 0; i < 25; i++) {
            createPod(client, "team-a", String.format("p%02d", i), Map.of(),
                    i == 3 ? Map.of("note", longNote) : Map.of());
        }
        createPod(client, "team-a", "owned", Map.of("owner", "me"), Map.of());

        Validator validator = AuditFixtures.validator(owner);
        AuditReport report = new ClusterAudit(client, 500, 20).run(validator, GatekeeperConfig.EMPTY, AuditProgress.NONE);
        ConstraintStatusWriter.Outcome outcome = new ConstraintStatusWriter(client).write(report);

        assertThat(report.objectsReviewed()).isEqualTo(26);
        assertThat(report.errors()).isEmpty();
        assertThat(outcome.written()).isEqualTo(1);
        JsonNode status = constraintInCluster(client, "K8sRequiredOwner", "pods-need-owner").get("status");
        assertThat(status.get("auditTimestamp").asString()).isEqualTo(report.auditId())
                .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
        assertThat(status.get("totalViolations").asLong()).isEqualTo(25);
        assertThat(status.get("byPod").get(0).get("id").asString()).isEqualTo("portcullis-0");
        JsonNode violations = status.get("violations");
        assertThat(violations.size()).isEqualTo(20);
        List<String> names = new ArrayList<>();
        violations.forEach(v -> names.add(v.get("name").asString()));
        assertThat(names).containsExactlyElementsOf(IntStream.range(0, 20).mapToObj(i -> String.format("p%02d", i)).toList());
        JsonNode first = violations.get(0);
        assertThat(first.get("group").asString()).isEmpty();
        assertThat(first.get("version").asString()).isEqualTo("v1");
        assertThat(first.get("kind").asString()).isEqualTo("Pod");
        assertThat(first.get("namespace").asString()).isEqualTo("team-a");
        assertThat(first.get("enforcementAction").asString()).isEqualTo("deny");
        // Audit reviews carry no operation and no user.
        assertThat(first.get("message").asString()).isEqualTo("Pod p00 has no owner label (operation \"\", user {})");
        String cut = violations.get(3).get("message").asString();
        assertThat(cut).startsWith("Pod p03 has no owner label (operation \"\", user {}): éé").endsWith("...");
        assertThat(cut.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(256).isGreaterThan(250);
    }

    @Test
    void aCleanRunResetsTheCountAndRemovesTheViolations() throws Exception {
        ObjectNode owner = constraint("pods-need-owner", "warn", "");
        createConstraint(client, owner);
        createNamespace(client, "team-a", Map.of());
        createPod(client, "team-a", "unowned", Map.of(), Map.of());
        Validator validator = AuditFixtures.validator(owner);
        ClusterAudit audit = new ClusterAudit(client, 500, 20);
        ConstraintStatusWriter writer = new ConstraintStatusWriter(client);
        writer.write(audit.run(validator, GatekeeperConfig.EMPTY, AuditProgress.NONE));
        assertThat(constraintInCluster(client, "K8sRequiredOwner", "pods-need-owner").at("/status/violations").size()).isEqualTo(1);

        client.pods().inNamespace("team-a").withName("unowned").edit(p -> {
            p.getMetadata().setLabels(Map.of("owner", "me"));
            return p;
        });
        AuditReport clean = audit.run(validator, GatekeeperConfig.EMPTY, AuditProgress.NONE);
        writer.write(clean);

        JsonNode status = constraintInCluster(client, "K8sRequiredOwner", "pods-need-owner").get("status");
        assertThat(status.get("totalViolations").asLong()).isZero();
        assertThat(status.get("auditTimestamp").asString()).isEqualTo(clean.auditId());
        // A merge patch with null removes the field on a real API server; the mock keeps an explicit null.
        assertThat(status.path("violations").isMissingNode() || status.get("violations").isNull()).isTrue();
    }

    @Test
    void theNamespaceComesFromTheClusterForNamespaceSelectors() throws Exception {
        ObjectNode selected = constraint("audited-namespaces", "dryrun",
                ",'namespaceSelector':{'matchLabels':{'audit':'yes'}}");
        createConstraint(client, selected);
        createNamespace(client, "audited", Map.of("audit", "yes"));
        createNamespace(client, "ignored", Map.of());
        createPod(client, "audited", "a", Map.of(), Map.of());
        createPod(client, "ignored", "b", Map.of(), Map.of());

        AuditReport report = new ClusterAudit(client, 500, 20)
                .run(AuditFixtures.validator(selected), GatekeeperConfig.EMPTY, AuditProgress.NONE);

        AuditReport.ConstraintResult result = report.constraints().getFirst();
        assertThat(result.totalViolations()).isEqualTo(1);
        assertThat(AuditFixtures.names(result.violations())).containsExactly("a");
        assertThat(report.violationsByEnforcementAction()).containsEntry("dryrun", 1L).containsEntry("deny", 0L);
    }

    @Test
    void objectsInANamespaceThatCannotBeReadAreSkippedAndConfigExclusionsAreHonoured() throws Exception {
        ObjectNode owner = constraint("pods-need-owner", "deny", "");
        createNamespace(client, "kept", Map.of());
        createNamespace(client, "kube-system", Map.of());
        createPod(client, "kept", "a", Map.of(), Map.of());
        createPod(client, "kube-system", "b", Map.of(), Map.of());
        createPod(client, "vanished", "c", Map.of(), Map.of());
        GatekeeperConfig config = GatekeeperConfig.parse(AuditFixtures.json("{'apiVersion':'config.gatekeeper.sh/v1alpha1',"
                + "'kind':'Config','metadata':{'name':'config'},'spec':{'match':[{'processes':['audit'],"
                + "'excludedNamespaces':['kube-*']}]}}"));

        AuditReport report = new ClusterAudit(client, 500, 20).run(AuditFixtures.validator(owner), config, AuditProgress.NONE);

        assertThat(report.objectsReviewed()).isEqualTo(1);
        assertThat(report.objectsSkipped()).isEqualTo(2);
        assertThat(AuditFixtures.names(report.constraints().getFirst().violations())).containsExactly("a");
    }

    @Test
    void listsInPagesOfTheChunkSizeFollowingContinueTokens() throws Exception {
        // The CRUD mock ignores limit and continue, so the pages are served as an API server would serve them.
        ObjectNode owner = constraint("pods-need-owner", "deny", "");
        createNamespace(client, "team-a", Map.of());
        List<String> tokens = List.of("", "c1", "c2", "c3");
        for (int page = 0; page < tokens.size(); page++) {
            int from = page * 10;
            int to = Math.min(35, from + 10);
            String next = page + 1 < tokens.size() ? tokens.get(page + 1) : null;
            String path = tokens.get(page).isEmpty() ? "/api/v1/pods?limit=10"
                    : "/api/v1/pods?continue=" + tokens.get(page) + "&limit=10";
            GenericKubernetesResourceList list = new GenericKubernetesResourceList();
            list.setMetadata(new ListMetaBuilder().withContinue(next).build());
            list.setItems(IntStream.range(from, to).mapToObj(i -> pod("team-a", "p" + i)).toList());
            server.expect().get().withPath(path).andReturn(200, list).once();
        }
        drainRequests();

        AuditReport report = new ClusterAudit(client, 10, 20)
                .run(AuditFixtures.validator(owner), GatekeeperConfig.EMPTY, AuditProgress.NONE);

        assertThat(report.errors()).isEmpty();
        assertThat(report.objectsReviewed()).isEqualTo(35);
        assertThat(report.constraints().getFirst().totalViolations()).isEqualTo(35);
        List<Map<String, String>> listRequests = new ArrayList<>();
        for (RecordedRequest r : drainRequests()) {
            if (r.getPath().startsWith("/api/v1/pods")) {
                listRequests.add(query(r.getPath()));
            }
        }
        assertThat(listRequests).hasSize(4).allSatisfy(q -> assertThat(q).containsEntry("limit", "10"));
        assertThat(listRequests.stream().map(q -> q.getOrDefault("continue", "")).toList()).isEqualTo(tokens);
    }

    @Test
    void onlyTheKindsTheConstraintsMatchAreListed() throws Exception {
        ObjectNode owner = constraint("pods-need-owner", "deny", "");
        createNamespace(client, "team-a", Map.of());
        drainRequests();

        new ClusterAudit(client, 500, 20).run(AuditFixtures.validator(owner), GatekeeperConfig.EMPTY, AuditProgress.NONE);

        List<String> paths = drainRequests().stream().map(RecordedRequest::getPath).toList();
        assertThat(paths).contains("/api/v1", "/api/v1/pods?limit=500")
                .noneMatch(p -> p.startsWith("/apis"))
                .noneMatch(p -> p.startsWith("/api/v1/namespaces?"));
    }

    private static GenericKubernetesResource pod(String namespace, String name) {
        GenericKubernetesResource pod = new GenericKubernetesResource();
        // List items from an API server carry no apiVersion and kind; the lister restores them.
        pod.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
        return pod;
    }

    private List<RecordedRequest> drainRequests() throws InterruptedException {
        List<RecordedRequest> out = new ArrayList<>();
        RecordedRequest r;
        while ((r = server.takeRequest(10, TimeUnit.MILLISECONDS)) != null) {
            out.add(r);
        }
        return out;
    }

    private static Map<String, String> query(String path) {
        Map<String, String> params = new HashMap<>();
        String query = URI.create("http://x" + path).getRawQuery();
        if (query != null) {
            for (String pair : query.split("&")) {
                int eq = pair.indexOf('=');
                params.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
        }
        return params;
    }
}
