package io.portcullis.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.portcullis.admission.AdmissionLimits;
import io.portcullis.admission.AdmissionRequest;
import io.portcullis.admission.AdmissionReviewReader;
import io.portcullis.constraint.EnforcementPoint;
import io.portcullis.constraint.Manifests;
import io.portcullis.constraint.Result;
import io.portcullis.constraint.Review;
import io.portcullis.constraint.TemplateCompiler;
import io.portcullis.constraint.TemplateParser;
import io.portcullis.constraint.Validator;
import io.portcullis.engine.EngineConfig;
import io.portcullis.engine.PolicyEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Admission violation Events as Gatekeeper's webhook records them (reason per action, message, annotations,
 * involved object), written by {@link ClusterEventWriter} into fabric8's CRUD API server and read back; the
 * violations come from a real template compiled by the real OPA compiler. And the writer never blocks: with the API
 * server not answering, a full queue drops and counts.
 */
@EnableKubernetesMockClient(crud = true)
class ViolationEventsTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final TemplateCompiler COMPILER = new TemplateCompiler(new PolicyEngine(EngineConfig.defaults()));
    private static final String NS = "portcullis-system";
    private static final String TEMPLATE = """
            apiVersion: templates.gatekeeper.sh/v1
            kind: ConstraintTemplate
            metadata:
              name: k8sneedsowner
            spec:
              crd:
                spec:
                  names:
                    kind: K8sNeedsOwner
              targets:
                - target: admission.k8s.gatekeeper.sh
                  rego: |
                    package k8sneedsowner
                    violation[{"msg": msg}] {
                      not input.review.object.metadata.labels.owner
                      msg := sprintf("%v has no owner", [input.review.object.metadata.name])
                    }
            """;

    KubernetesClient client;
    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
    }

    @Test
    void eachAdmissionViolationBecomesAnEventPerActionWithGatekeepersReasonAndAnnotations() throws Exception {
        ClusterEventWriter writer = writer(client, 100);
        AdmissionViolations violations = new AdmissionViolations(false, writer, new EventPlacement(NS, false));
        assertThat(violations.active()).isTrue();
        AdmissionRequest request = podCreate("web");
        violations.report(request, review(request, constraint("must-have-owner", "deny"),
                constraint("should-have-owner", "warn"), constraint("might-have-owner", "dryrun")));

        List<Event> events = awaitEvents(3);
        Event deny = byReason(events, "FailedAdmission");
        assertThat(deny.getMessage()).isEqualTo("Admission webhook \"validation.portcullis.dev\" denied request, "
                + "Resource Namespace: apps, Constraint: must-have-owner, Message: web has no owner");
        assertThat(deny.getType()).isEqualTo("Warning");
        assertThat(deny.getSource().getComponent()).isEqualTo("portcullis-webhook");
        assertThat(deny.getInvolvedObject().getKind()).isEqualTo("Pod");
        assertThat(deny.getInvolvedObject().getName()).isEqualTo("web");
        assertThat(deny.getInvolvedObject().getNamespace()).isEqualTo(NS);
        assertThat(deny.getInvolvedObject().getUid()).isEqualTo("Pod/apps/web/K8sNeedsOwner//must-have-owner");
        assertThat(deny.getMetadata().getName()).startsWith("web.");
        assertThat(deny.getMetadata().getAnnotations()).containsAllEntriesOf(Map.ofEntries(
                Map.entry("process", "admission"), Map.entry("event_type", "violation"),
                Map.entry("constraint_name", "must-have-owner"), Map.entry("constraint_group", "constraints.gatekeeper.sh"),
                Map.entry("constraint_api_version", "v1beta1"), Map.entry("constraint_kind", "K8sNeedsOwner"),
                Map.entry("constraint_action", "deny"), Map.entry("constraint_enforcement_actions", ""),
                Map.entry("resource_group", ""), Map.entry("resource_api_version", "v1"),
                Map.entry("resource_kind", "Pod"), Map.entry("resource_namespace", "apps"),
                Map.entry("resource_name", "web"), Map.entry("request_username", "alice")));
        assertThat(byReason(events, "WarningAdmission").getMessage()).startsWith(
                "Admission webhook \"validation.portcullis.dev\" raised a warning for this request, "
                        + "Resource Namespace: apps, Constraint: should-have-owner");
        assertThat(byReason(events, "DryrunViolation").getMessage())
                .isEqualTo("Dryrun violation, Resource Namespace: apps, Constraint: might-have-owner, Message: web has no owner");
    }

    @Test
    void withTheInvolvedNamespaceOptionTheEventGoesIntoTheObjectsNamespaceAboutTheObjectItself() throws Exception {
        ClusterEventWriter writer = writer(client, 100);
        AdmissionViolations violations = new AdmissionViolations(false, writer, new EventPlacement(NS, true));
        AdmissionRequest update = podUpdate("web", "4f6c1c2e-0000-4000-8000-000000000001", "42");
        violations.report(update, review(update, constraint("must-have-owner", "deny")));

        Event deny = awaitEvents("apps", 1).getFirst();
        assertThat(deny.getReason()).isEqualTo("FailedAdmission");
        // Gatekeeper's format without the namespace part: the event's namespace says it.
        assertThat(deny.getMessage()).isEqualTo("Admission webhook \"validation.portcullis.dev\" denied request, "
                + "Constraint: must-have-owner, Message: web has no owner");
        assertThat(deny.getInvolvedObject().getNamespace()).isEqualTo("apps");
        assertThat(deny.getInvolvedObject().getUid()).isEqualTo("4f6c1c2e-0000-4000-8000-000000000001");
        assertThat(deny.getInvolvedObject().getResourceVersion()).isEqualTo("42");
        assertThat(client.v1().events().inNamespace(NS).list().getItems()).isEmpty();

        // An object being created has no uid nor resourceVersion yet: the event names it by kind and name only.
        AdmissionRequest create = podCreate("fresh");
        violations.report(create, review(create, constraint("must-have-owner", "deny")));
        Event fresh = awaitEvents("apps", 2).stream().filter(e -> e.getInvolvedObject().getName().equals("fresh"))
                .findFirst().orElseThrow();
        assertThat(fresh.getInvolvedObject().getUid()).isNull();
        assertThat(fresh.getInvolvedObject().getResourceVersion()).isNull();
    }

    /** On DELETE the object is null: the event is placed by the old object, as Gatekeeper's SetObjectOnDelete does. */
    @Test
    void aDeletesEventIsAboutTheObjectBeingDeleted() throws Exception {
        ClusterEventWriter writer = writer(client, 100);
        AdmissionViolations violations = new AdmissionViolations(false, writer, new EventPlacement(NS, true));
        AdmissionRequest delete = podDelete("gone", "4f6c1c2e-0000-4000-8000-000000000002", "43");
        violations.report(delete, review(delete, constraint("must-have-owner", "deny")));

        Event deny = awaitEvents("apps", 1).getFirst();
        assertThat(deny.getInvolvedObject().getNamespace()).isEqualTo("apps");
        assertThat(deny.getInvolvedObject().getName()).isEqualTo("gone");
        assertThat(deny.getInvolvedObject().getUid()).isEqualTo("4f6c1c2e-0000-4000-8000-000000000002");
        assertThat(deny.getInvolvedObject().getResourceVersion()).isEqualTo("43");
    }

    @Test
    void aClusterScopedObjectsEventStaysInOurNamespaceEvenWithTheInvolvedNamespaceOption() {
        ViolationEvent.InvolvedObject namespace = new EventPlacement(NS, true)
                .involved("Namespace", "", "team-a", "uid-1", "7", "K8sRequiredLabels", "ns-must-have-owner");
        assertThat(namespace.namespace()).isEqualTo(NS);
        assertThat(namespace.uid()).isEqualTo("uid-1");
        assertThat(new EventPlacement(NS, false)
                .involved("Namespace", "", "team-a", "uid-1", "7", "K8sRequiredLabels", "ns-must-have-owner"))
                .isEqualTo(new ViolationEvent.InvolvedObject("Namespace", "team-a", NS,
                        "Namespace//team-a/K8sRequiredLabels//ns-must-have-owner", ""));
    }

    @Test
    void withEverythingOffTheWebhookHasNothingToDo() {
        assertThat(new AdmissionViolations(false, null, new EventPlacement(NS, false)).active()).isFalse();
    }

    @Test
    void aFullQueueDropsAndCountsInsteadOfWaitingForTheApiServer() throws Exception {
        // An API server that accepts connections and never answers: the writer's thread hangs on its first event.
        ServerSocket silent = new ServerSocket(0);
        List<Socket> accepted = new ArrayList<>();
        Thread acceptor = Thread.ofPlatform().daemon().start(() -> {
            try {
                while (true) {
                    accepted.add(silent.accept());
                }
            } catch (Exception e) {
                // closed
            }
        });
        closing.add(silent);
        Config config = new ConfigBuilder().withMasterUrl("http://127.0.0.1:" + silent.getLocalPort())
                .withRequestTimeout(60_000).withRequestRetryBackoffLimit(0).build();
        KubernetesClient hanging = new KubernetesClientBuilder().withConfig(config).build();
        closing.add(hanging);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ClusterEventWriter writer = new ClusterEventWriter(hanging, 1, registry);
        closing.add(writer);
        AdmissionViolations violations = new AdmissionViolations(false, writer, new EventPlacement(NS, false));
        AdmissionRequest request = podCreate("web");
        List<Result> results = review(request, constraint("must-have-owner", "deny"));

        // One event in the writer's hands, one in the queue: by the third the queue is full, whenever the thread
        // took the first.
        for (int i = 0; i < 5; i++) {
            violations.report(request, results);
        }
        double dropped = registry.get("portcullis_events_dropped").counter().count();
        assertThat(dropped).isBetween(3.0, 4.0);
        acceptor.interrupt();
    }

    private ClusterEventWriter writer(KubernetesClient kube, int capacity) {
        ClusterEventWriter writer = new ClusterEventWriter(kube, capacity, new SimpleMeterRegistry());
        closing.add(writer);
        return writer;
    }

    private List<Event> awaitEvents(int count) throws InterruptedException {
        return awaitEvents(NS, count);
    }

    private List<Event> awaitEvents(String namespace, int count) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        List<Event> events = client.v1().events().inNamespace(namespace).list().getItems();
        while (events.size() < count && System.nanoTime() < end) {
            Thread.sleep(50);
            events = client.v1().events().inNamespace(namespace).list().getItems();
        }
        assertThat(events).hasSize(count);
        return events;
    }

    private static Event byReason(List<Event> events, String reason) {
        return events.stream().filter(e -> e.getReason().equals(reason)).findFirst().orElseThrow(
                () -> new AssertionError("no " + reason + " event among " + events));
    }

    private static ObjectNode constraint(String name, String action) {
        return (ObjectNode) JSON.readTree(("{'apiVersion':'constraints.gatekeeper.sh/v1beta1','kind':'K8sNeedsOwner',"
                + "'metadata':{'name':'" + name + "'},'spec':{'enforcementAction':'" + action + "',"
                + "'match':{'kinds':[{'apiGroups':[''],'kinds':['Pod']}]}}}").replace('\'', '"'));
    }

    private static List<Result> review(AdmissionRequest request, ObjectNode... constraints) throws Exception {
        Validator validator = new Validator(COMPILER);
        validator.addTemplate(TemplateParser.parse(Manifests.readObjects(TEMPLATE, "template").getFirst(), "template"));
        for (ObjectNode c : constraints) {
            validator.addConstraint(c);
        }
        List<Result> results = validator.review(Review.ofAdmissionRequest(request, null), EnforcementPoint.WEBHOOK);
        assertThat(results).hasSize(constraints.length);
        return results;
    }

    private static AdmissionRequest podUpdate(String name, String uid, String resourceVersion) {
        String review = ("{'apiVersion':'admission.k8s.io/v1','kind':'AdmissionReview','request':{'uid':'u2',"
                + "'kind':{'group':'','version':'v1','kind':'Pod'},'resource':{'group':'','version':'v1','resource':'pods'},"
                + "'name':'" + name + "','namespace':'apps','operation':'UPDATE','userInfo':{'username':'alice'},"
                + "'object':{'apiVersion':'v1','kind':'Pod','metadata':{'name':'" + name + "','namespace':'apps',"
                + "'uid':'" + uid + "','resourceVersion':'" + resourceVersion + "'},"
                + "'spec':{'containers':[{'name':'app','image':'nginx'}]}},"
                + "'oldObject':{'apiVersion':'v1','kind':'Pod','metadata':{'name':'" + name + "','namespace':'apps'},"
                + "'spec':{'containers':[{'name':'app','image':'nginx'}]}}}}").replace('\'', '"');
        return new AdmissionReviewReader(AdmissionLimits.DEFAULT).read(review.getBytes(StandardCharsets.UTF_8)).request();
    }

    /** A DELETE as the API server sends it: the name left out of the request, only the old object. */
    private static AdmissionRequest podDelete(String name, String uid, String resourceVersion) {
        String review = ("{'apiVersion':'admission.k8s.io/v1','kind':'AdmissionReview','request':{'uid':'u3',"
                + "'kind':{'group':'','version':'v1','kind':'Pod'},'resource':{'group':'','version':'v1','resource':'pods'},"
                + "'namespace':'apps','operation':'DELETE','userInfo':{'username':'alice'},"
                + "'oldObject':{'apiVersion':'v1','kind':'Pod','metadata':{'name':'" + name + "','namespace':'apps',"
                + "'uid':'" + uid + "','resourceVersion':'" + resourceVersion + "'},"
                + "'spec':{'containers':[{'name':'app','image':'nginx'}]}}}}").replace('\'', '"');
        return new AdmissionReviewReader(AdmissionLimits.DEFAULT).read(review.getBytes(StandardCharsets.UTF_8)).request();
    }

    private static AdmissionRequest podCreate(String name) {
        String review = ("{'apiVersion':'admission.k8s.io/v1','kind':'AdmissionReview','request':{'uid':'u1',"
                + "'kind':{'group':'','version':'v1','kind':'Pod'},'resource':{'group':'','version':'v1','resource':'pods'},"
                + "'name':'" + name + "','namespace':'apps','operation':'CREATE','userInfo':{'username':'alice'},"
                + "'object':{'apiVersion':'v1','kind':'Pod','metadata':{'name':'" + name + "','namespace':'apps'},"
                + "'spec':{'containers':[{'name':'app','image':'nginx'}]}}}}").replace('\'', '"');
        return new AdmissionReviewReader(AdmissionLimits.DEFAULT).read(review.getBytes(StandardCharsets.UTF_8)).request();
    }
}
