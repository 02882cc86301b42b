package io.portcullis.kube;

import static io.portcullis.kube.MockCluster.await;
import static io.portcullis.kube.MockCluster.create;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.portcullis.kube.lease.Leadership;
import io.portcullis.kube.lease.LeaseProperties;
import io.portcullis.kube.write.ObjectWriter;
import java.util.ArrayList;
import io.portcullis.json.JsonFields;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/**
 * SPO's activeWorkloads and in-use finalizers kept from the stored pods, against fabric8's CRUD mock server (which
 * stores pods as given: the pods here carry the profile as the binding webhook would have written it).
 */
@EnableKubernetesMockClient(crud = true)
class WorkloadTrackerTest {
    private static final ResourceDefinitionContext PODS = WorkloadTracker.PODS;
    private static final ResourceDefinitionContext BINDINGS = WorkloadTracker.BINDINGS;
    private static final ResourceDefinitionContext SECCOMP = WorkloadTracker.SECCOMP;
    private static final ResourceDefinitionContext SELINUX = WorkloadTracker.SELINUX;

    KubernetesClient client;
    private SharedIndexInformer<CustomResourceDefinition> establisher;
    private WorkloadTracker tracker;
    private static final LeaseProperties LEASE = new LeaseProperties("portcullis-audit", Duration.ofSeconds(3),
            Duration.ofSeconds(2), Duration.ofMillis(200));
    private final List<Leadership> leaderships = new ArrayList<>();

    @BeforeEach
    void cluster() {
        establisher = MockCluster.establishCrds(client);
        KubeJson json = new KubeJson(client);
        new CrdInstaller(client, json, new ServerSideApply(client, json))
                .installAll(CrdInstaller.manifests(null), true, Duration.ofSeconds(30));
        namespace("demo", true);
        namespace("plain", false);
        create(client, SECCOMP, """
                apiVersion: security-profiles-operator.x-k8s.io/v1
                kind: SeccompProfile
                metadata:
                  name: nginx-1.27
                spec:
                  defaultAction: SCMP_ACT_ERRNO
                """);
        MockCluster.setStatus(client, SECCOMP, null, "nginx-1.27", """
                {"status": "Installed", "localhostProfile": "operator/nginx-1.27.json"}""");
        create(client, BINDINGS, """
                apiVersion: security-profiles-operator.x-k8s.io/v1
                kind: ProfileBinding
                metadata:
                  name: nginx-seccomp
                  namespace: demo
                spec:
                  profileRef:
                    kind: SeccompProfile
                    name: nginx-1.27
                  image: nginx:1.27
                """);
    }

    /** This replica's part in the election for the Lease, on the mock API server; closed after the test. */
    private Leadership leadership(String identity) {
        Leadership leadership = new Leadership(client, MockCluster.NAMESPACE, LEASE, identity);
        leaderships.add(leadership);
        return leadership;
    }

    @AfterEach
    void stop() {
        if (tracker != null) {
            tracker.close();
        }
        leaderships.forEach(Leadership::close);
        establisher.stop();
    }

    private void start(ObjectWriter.BeforeWrite beforeWrite) {
        tracker = new WorkloadTracker(client, leadership("test_1"), Duration.ofMillis(100), beforeWrite);
        tracker.start();
        await("leading", tracker::isLeader);
    }

    @Test
    void boundPodWithGeneratedNameIsListedUnderItsRealNameUntilDeleted() {
        start(target -> { });
        String pod = name(createPod("demo", "web-", "nginx:1.27", seccomp("operator/nginx-1.27.json")));
        assertThat(pod).startsWith("web-").isNotEqualTo("web-");
        createPod("demo", "unbound-", "nginx:1.27", "");
        createPod("demo", "other-image-", "redis:7", seccomp("operator/nginx-1.27.json"));
        createPod("plain", "not-opted-in-", "nginx:1.27", seccomp("operator/nginx-1.27.json"));

        await("binding lists the pod", () -> workloads(BINDINGS, "demo", "nginx-seccomp").equals(List.of("demo/" + pod)));
        assertThat(finalizers(BINDINGS, "demo", "nginx-seccomp")).containsExactly(WorkloadTracker.BINDING_FINALIZER);
        // The profile counts every pod that references it, bound or written by hand, in any namespace.
        await("profile lists its users", () -> workloads(SECCOMP, null, "nginx-1.27").size() == 3);
        assertThat(workloads(SECCOMP, null, "nginx-1.27")).contains("demo/" + pod).noneMatch(p -> p.contains("unbound"));
        assertThat(finalizers(SECCOMP, null, "nginx-1.27")).containsExactly(WorkloadTracker.PROFILE_FINALIZER);

        client.pods().inNamespace("demo").withName(pod).delete();
        await("binding empty", () -> workloads(BINDINGS, "demo", "nginx-seccomp").isEmpty()
                && finalizers(BINDINGS, "demo", "nginx-seccomp").isEmpty());
        for (GenericKubernetesResource p : client.genericKubernetesResources(PODS).inAnyNamespace().list().getItems()) {
            client.genericKubernetesResources(PODS).inNamespace(p.getMetadata().getNamespace())
                    .withName(p.getMetadata().getName()).delete();
        }
        await("profile unused", () -> workloads(SECCOMP, null, "nginx-1.27").isEmpty()
                && finalizers(SECCOMP, null, "nginx-1.27").isEmpty());
        // The binding can now be deleted: nothing holds it.
        client.genericKubernetesResources(BINDINGS).inNamespace("demo").withName("nginx-seccomp").delete();
        await("binding gone", () -> client.genericKubernetesResources(BINDINGS).inNamespace("demo")
                .withName("nginx-seccomp").get() == null);
    }

    @Test
    void selinuxProfileListsPodsUsingItsType() {
        create(client, SELINUX, """
                apiVersion: security-profiles-operator.x-k8s.io/v1
                kind: SelinuxProfile
                metadata:
                  name: webapp
                spec:
                  allow:
                    "@self":
                      tcp_socket: [listen]
                """);
        start(target -> { });
        String user = name(createPod("plain", "selinux-", "nginx:1.27", """
                        seLinuxOptions:
                          type: webapp.process
                """));
        createPod("plain", "other-type-", "nginx:1.27", """
                        seLinuxOptions:
                          type: container_t
                """);
        await("profile lists its user", () -> workloads(SELINUX, null, "webapp").equals(List.of("plain/" + user)));
        assertThat(finalizers(SELINUX, null, "webapp")).containsExactly(WorkloadTracker.PROFILE_FINALIZER);
    }

    @Test
    void aWriteThatConflictsIsMadeAgainOnTheFreshObject() {
        AtomicInteger interleaved = new AtomicInteger();
        start(target -> {
            if (target.context() == BINDINGS && interleaved.getAndIncrement() == 0) {
                // Another writer changes the binding between our read and our write.
                client.genericKubernetesResources(BINDINGS).inNamespace("demo").withName("nginx-seccomp")
                        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"labels\":{\"touched\":\"yes\"}}}");
            }
        });
        String pod = name(createPod("demo", "web-", "nginx:1.27", seccomp("operator/nginx-1.27.json")));
        await("binding lists the pod", () -> workloads(BINDINGS, "demo", "nginx-seccomp").equals(List.of("demo/" + pod))
                && finalizers(BINDINGS, "demo", "nginx-seccomp").contains(WorkloadTracker.BINDING_FINALIZER));
        assertThat(tracker.writer().conflicts()).isPositive();
        ObjectNode binding = get(BINDINGS, "demo", "nginx-seccomp");
        assertThat(JsonFields.stringMap(binding.path("metadata"), "labels")).containsEntry("touched", "yes");
    }

    @Test
    void nothingIsWrittenWhenNothingChanged() {
        start(target -> { });
        String pod = name(createPod("demo", "web-", "nginx:1.27", seccomp("operator/nginx-1.27.json")));
        await("binding lists the pod", () -> workloads(BINDINGS, "demo", "nginx-seccomp").equals(List.of("demo/" + pod))
                && !finalizers(SECCOMP, null, "nginx-1.27").isEmpty());
        await("settled", () -> !tracker.pending());
        long writes = tracker.writer().writes();
        String bindingVersion = KubeJson.resourceVersion(get(BINDINGS, "demo", "nginx-seccomp"));
        String profileVersion = KubeJson.resourceVersion(get(SECCOMP, null, "nginx-1.27"));
        long recomputes = tracker.recomputes();

        client.pods().inNamespace("demo").withName(pod)
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"labels\":{\"unrelated\":\"change\"}}}");
        await("recomputed after the pod event", () -> tracker.recomputes() > recomputes);
        await("settled", () -> !tracker.pending());

        assertThat(tracker.writer().writes()).isEqualTo(writes);
        assertThat(KubeJson.resourceVersion(get(BINDINGS, "demo", "nginx-seccomp"))).isEqualTo(bindingVersion);
        assertThat(KubeJson.resourceVersion(get(SECCOMP, null, "nginx-1.27"))).isEqualTo(profileVersion);
    }

    @Test
    void writesOnlyWhileItsReplicaHoldsTheLease() {
        Leadership other = leadership("other-replica");
        other.start();
        await("the other replica leads", other::isLeader);
        tracker = new WorkloadTracker(client, leadership("this-replica"), Duration.ofMillis(100));
        tracker.start();
        String pod = name(createPod("demo", "web-", "nginx:1.27", seccomp("operator/nginx-1.27.json")));
        await("pod seen", () -> tracker.sees("demo", pod));
        await("events handled", tracker::idle);
        assertThat(tracker.writer().writes()).as("another replica leads").isZero();
        assertThat(workloads(BINDINGS, "demo", "nginx-seccomp")).isEmpty();

        // The other replica stops and releases the Lease: this one takes it over and writes.
        other.close();
        await("binding lists the pod once leading",
                () -> workloads(BINDINGS, "demo", "nginx-seccomp").equals(List.of("demo/" + pod)));
    }

    // --- helpers

    private void namespace(String name, boolean optIn) {
        client.namespaces().resource(client.getKubernetesSerialization().unmarshal("""
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: %s
                  labels: %s
                """.formatted(name, optIn ? "{spo.x-k8s.io/enable-binding: \"\"}" : "{}"),
                io.fabric8.kubernetes.api.model.Namespace.class)).create();
    }

    private static String seccomp(String localhostProfile) {
        return """
                        seccompProfile:
                          type: Localhost
                          localhostProfile: %s
                """.formatted(localhostProfile);
    }

    /** Creates a pod from generateName, as a ReplicaSet does; the API server gives it its name. */
    private ObjectNode createPod(String namespace, String generateName, String image, String securityContext) {
        String context = securityContext.isEmpty() ? "" : "      securityContext:\n" + securityContext;
        return create(client, PODS, """
                apiVersion: v1
                kind: Pod
                metadata:
                  generateName: %s
                  namespace: %s
                  labels: {app: web}
                spec:
                  containers:
                    - name: main
                      image: %s
                %s""".formatted(generateName, namespace, image, context));
    }

    private static String name(ObjectNode pod) {
        return JsonFields.textOrNull(pod.path("metadata"), "name");
    }

    private ObjectNode get(ResourceDefinitionContext context, String namespace, String name) {
        var operation = client.genericKubernetesResources(context);
        GenericKubernetesResource found = namespace == null ? operation.withName(name).get()
                : operation.inNamespace(namespace).withName(name).get();
        return found == null ? null : new KubeJson(client).tree(found, context);
    }

    private List<String> workloads(ResourceDefinitionContext context, String namespace, String name) {
        return WorkloadEdit.activeWorkloads(get(context, namespace, name));
    }

    private List<String> finalizers(ResourceDefinitionContext context, String namespace, String name) {
        return WorkloadEdit.finalizers(get(context, namespace, name));
    }
}
