package io.portcullis.kube;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.portcullis.json.JsonFields;
import io.portcullis.kube.lease.Leadership;
import io.portcullis.kube.write.ObjectWriter;
import io.portcullis.kube.write.Retry;
import io.portcullis.mutation.profiles.ProfileBinding;
import io.portcullis.mutation.profiles.ProfileCatalog;
import io.portcullis.mutation.profiles.SecurityProfile;
import io.portcullis.mutation.profiles.SpoResources;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * SPO's workload bookkeeping, done by a controller instead of at admission: {@code status.activeWorkloads} and the
 * finalizer {@value #BINDING_FINALIZER} on ProfileBindings (SPO's binding webhook), {@code status.activeWorkloads}
 * and {@value #PROFILE_FINALIZER} on SeccompProfiles and SelinuxProfiles (SPO's workload annotator).
 *
 * <p>Everything is computed from the pods the API server stored, so the webhook has no side effects: dry-run
 * requests leave no trace, pod DELETE is never answered with an error, and pods made from {@code generateName}
 * are recorded under their real names (design note §2.8, §2.9, §2.11). Writes retry on conflicts
 * ({@link WorkloadEdit} through the {@link ObjectWriter}); only objects that disagree with the pods are written.
 *
 * <p>Informer events land on one thread of its own and mark namespaces dirty; at most once per {@code debounce}
 * the bindings of the dirty namespaces and all tracked profiles are recomputed, so a Deployment scaled to 100 pods
 * costs a few writes, not 100. Only one replica writes, or replicas would fight over the same objects: the holder
 * of the Lease the audit also follows ({@link Leadership}: one Lease for the cluster-wide background work, so RBAC
 * names one Lease), whether or not the audit runs. Nothing is computed until every informer has listed, so a
 * partial pod list never empties a status.
 */
public final class WorkloadTracker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WorkloadTracker.class);
    public static final String BINDING_FINALIZER = "active-workload-lock";
    public static final String PROFILE_FINALIZER = "in-use-by-active-pods";

    static final ResourceDefinitionContext PODS = KubeJson.context("", "v1", "Pod", "pods", true);
    static final ResourceDefinitionContext NAMESPACES = KubeJson.context("", "v1", "Namespace", "namespaces", false);
    static final ResourceDefinitionContext BINDINGS =
            KubeJson.context(SpoResources.GROUP, "v1", "ProfileBinding", "profilebindings", true);
    static final ResourceDefinitionContext SECCOMP =
            KubeJson.context(SpoResources.GROUP, "v1", "SeccompProfile", "seccompprofiles", false);
    static final ResourceDefinitionContext SELINUX =
            KubeJson.context(SpoResources.GROUP, "v1", "SelinuxProfile", "selinuxprofiles", false);
    /** Only read: bindings to AppArmor profiles are tracked; AppArmor profiles have no activeWorkloads (as in SPO). */
    static final ResourceDefinitionContext APPARMOR =
            KubeJson.context(SpoResources.GROUP, "v1", "AppArmorProfile", "apparmorprofiles", false);

    private final KubernetesClient client;
    private final KubeJson json;
    private final Worker worker = new Worker("portcullis-workloads");
    private final ObjectWriter writer;
    private final Duration debounce;
    private final Leadership leadership;
    private final Map<ResourceDefinitionContext, Informer> informers = new LinkedHashMap<>();
    private final AtomicLong recomputes = new AtomicLong();

    // Worker thread only.
    private final Set<String> dirtyNamespaces = new HashSet<>();
    private boolean allDirty = true;
    private boolean flushScheduled;
    private volatile boolean closed;
    private boolean waitingLogged;

    /**
     * @param leadership the election of the replica that does the cluster-wide work (the audit's Lease); this
     *                   replica writes while it leads
     * @param debounce   the least time between two recomputations
     */
    public WorkloadTracker(KubernetesClient client, Leadership leadership, Duration debounce) {
        this(client, leadership, debounce, target -> { });
    }

    WorkloadTracker(KubernetesClient client, Leadership leadership, Duration debounce,
            ObjectWriter.BeforeWrite beforeWrite) {
        this.client = client;
        this.json = new KubeJson(client);
        this.writer = new ObjectWriter(client, Retry.WRITE, beforeWrite);
        this.debounce = debounce;
        this.leadership = leadership;
    }

    /** Starts the informers once SPO's CRDs exist and joins the election; returns at once. */
    public void start() {
        worker.submit("start workload tracking", this::startWhenServed);
        leadership.addListener(new Leadership.Listener() {
            @Override
            public void startedLeading() {
                log.info("workload tracking: {} writes activeWorkloads and finalizers", leadership.identity());
                worker.submit("lead", WorkloadTracker.this::markAll);
            }

            @Override
            public void stoppedLeading() {
                // Nothing to stop: each recomputation asks the Leadership whether this replica still writes.
            }
        });
        leadership.start();
    }

    /**
     * On a new cluster the server installs SPO's CRDs while this starts: informers on kinds not yet served
     * would fail and log until they are, so they start once every CRD exists (checked every second).
     */
    private void startWhenServed() {
        if (closed) {
            return;
        }
        List<String> missing = Stream.of(BINDINGS, SECCOMP, SELINUX, APPARMOR)
                .map(c -> c.getPlural() + "." + c.getGroup())
                .filter(name -> client.apiextensions().v1().customResourceDefinitions().withName(name).get() == null)
                .toList();
        if (!missing.isEmpty()) {
            if (!waitingLogged) {
                log.info("workload tracking waits for the CRDs {}", missing);
                waitingLogged = true;
            }
            worker.schedule("start workload tracking", Duration.ofSeconds(1), this::startWhenServed);
            return;
        }
        watch(PODS, "Pods");
        watch(NAMESPACES, "Namespaces");
        watch(BINDINGS, "ProfileBindings (workloads)");
        watch(SECCOMP, "SeccompProfiles (workloads)");
        watch(SELINUX, "SelinuxProfiles (workloads)");
        watch(APPARMOR, "AppArmorProfiles (workloads)");
    }

    private void watch(ResourceDefinitionContext context, String what) {
        var operation = client.genericKubernetesResources(context);
        Informer informer = Informer.start(what, context.isNamespaceScoped() ? operation.inAnyNamespace() : operation,
                context, json, new Informer.Listener() {
                    @Override
                    public void upsert(ObjectNode object) {
                        worker.submit(what + " changed", () -> changed(context, object));
                    }

                    @Override
                    public void delete(ObjectNode object) {
                        worker.submit(what + " deleted", () -> changed(context, object));
                    }
                }, () -> worker.submit(what + " listed", this::markAll));
        informers.put(context, informer);
    }

    /** A pod, binding or namespace touches its namespace; a profile may be referenced anywhere. */
    private void changed(ResourceDefinitionContext context, ObjectNode object) {
        if (context == PODS || context == BINDINGS) {
            dirtyNamespaces.add(JsonFields.textOrNull(object.path("metadata"), "namespace"));
        } else if (context == NAMESPACES) {
            dirtyNamespaces.add(JsonFields.textOrNull(object.path("metadata"), "name"));
        } else {
            allDirty = true;
        }
        scheduleFlush();
    }

    private void markAll() {
        allDirty = true;
        scheduleFlush();
    }

    private void scheduleFlush() {
        if (!flushScheduled) {
            flushScheduled = true;
            worker.schedule("recompute active workloads", debounce, this::flush);
        }
    }

    private void flush() {
        flushScheduled = false;
        if (!leadership.isLeader() || !informers.values().stream().allMatch(Informer::synced)) {
            // Not ours to write, or not everything listed yet: the election or the last sync marks all dirty.
            return;
        }
        Set<String> namespaces = allDirty ? null : Set.copyOf(dirtyNamespaces);
        allDirty = false;
        dirtyNamespaces.clear();
        recomputes.incrementAndGet();

        ProfileCatalog catalog = catalog();
        Map<String, List<ObjectNode>> podsByNamespace = new HashMap<>();
        for (ObjectNode pod : informers.get(PODS).objects()) {
            podsByNamespace.computeIfAbsent(JsonFields.textOrNull(pod.path("metadata"), "namespace"), n -> new ArrayList<>())
                    .add(pod);
        }
        for (ObjectNode object : informers.get(BINDINGS).objects()) {
            String namespace = JsonFields.textOrNull(object.path("metadata"), "namespace");
            if (namespaces != null && !namespaces.contains(namespace)) {
                continue;
            }
            ProfileBinding binding;
            try {
                binding = SpoResources.parseBinding(object);
            } catch (RuntimeException e) {
                log.debug("ProfileBinding {} not tracked: {}", JsonFields.describe(object), e.getMessage());
                continue;
            }
            Set<String> pods = ActiveWorkloads.boundPods(binding, podsByNamespace.getOrDefault(namespace, List.of()),
                    namespaceLabels(namespace), catalog);
            reconcile(BINDINGS, object, BINDING_FINALIZER, pods);
        }
        for (ResourceDefinitionContext kind : List.of(SECCOMP, SELINUX)) {
            for (ObjectNode object : informers.get(kind).objects()) {
                SecurityProfile profile;
                try {
                    profile = SpoResources.parseProfile(object);
                } catch (RuntimeException e) {
                    log.debug("{} not tracked: {}", JsonFields.describe(object), e.getMessage());
                    continue;
                }
                Set<String> pods = new TreeSet<>();
                for (List<ObjectNode> ofNamespace : podsByNamespace.values()) {
                    for (ObjectNode pod : ofNamespace) {
                        if (ActiveWorkloads.running(pod) && ActiveWorkloads.references(pod, profile)) {
                            pods.add(ActiveWorkloads.podId(pod));
                        }
                    }
                }
                reconcile(kind, object, PROFILE_FINALIZER, pods);
            }
        }
    }

    private void reconcile(ResourceDefinitionContext context, ObjectNode object, String finalizer, Set<String> pods) {
        List<String> workloads = List.copyOf(pods);
        if (!WorkloadEdit.differs(object, finalizer, workloads)) {
            return;
        }
        var target = new ObjectWriter.Target(context, JsonFields.textOrNull(object.path("metadata"), "namespace"),
                JsonFields.textOrNull(object.path("metadata"), "name"));
        try {
            writer.write(target, WorkloadEdit.of(finalizer, workloads));
        } catch (RuntimeException e) {
            log.warn("cannot write the active workloads of {}: {}", target, e.getMessage());
        }
    }

    private ProfileCatalog catalog() {
        List<SecurityProfile> profiles = new ArrayList<>();
        for (ResourceDefinitionContext kind : List.of(SECCOMP, SELINUX, APPARMOR)) {
            for (ObjectNode object : informers.get(kind).objects()) {
                try {
                    profiles.add(SpoResources.parseProfile(object));
                } catch (RuntimeException e) {
                    // Reported by the mutation source; an unreadable profile binds nothing.
                }
            }
        }
        return new ProfileCatalog(profiles);
    }

    private Map<String, String> namespaceLabels(String namespace) {
        ObjectNode found = informers.get(NAMESPACES).get(null, namespace);
        return found == null ? Map.of() : JsonFields.stringMap(found.path("metadata"), "labels");
    }

    public boolean isLeader() {
        return leadership.isLeader();
    }

    /** Recomputations done (tests wait on it). */
    long recomputes() {
        return recomputes.get();
    }

    ObjectWriter writer() {
        return writer;
    }

    /** Whether the informers hold this pod (tests). */
    boolean sees(String namespace, String pod) {
        return worker.call(() -> informers.containsKey(PODS) && informers.get(PODS).get(namespace, pod) != null);
    }

    /** Whether no recomputation is scheduled (tests). */
    boolean idle() {
        return worker.call(() -> !flushScheduled);
    }

    /** Whether events wait for a recomputation (tests). */
    boolean pending() {
        return worker.call(() -> flushScheduled || allDirty || !dirtyNamespaces.isEmpty());
    }

    @Override
    public void close() {
        closed = true;
        try {
            worker.call(() -> {
                informers.values().forEach(Informer::stop);
                return null;
            }, Duration.ofSeconds(10));
        } catch (IllegalStateException e) {
            log.warn("stopping the workload informers: {}", e.getMessage());
        } finally {
            worker.close();
        }
    }
}
