package io.portcullis.kube;

import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.portcullis.json.JsonFields;
import io.portcullis.mutation.MutationConfig;
import io.portcullis.mutation.gatekeeper.Mutator;
import io.portcullis.mutation.gatekeeper.MutatorId;
import io.portcullis.mutation.gatekeeper.Mutators;
import io.portcullis.mutation.profiles.ProfileBinding;
import io.portcullis.mutation.profiles.SecurityProfile;
import io.portcullis.mutation.profiles.SpoResources;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The mutation configuration from the cluster: SPO's profiles and ProfileBindings, and Gatekeeper's mutators, each
 * kind watched at the version its installed CRD stores (or the newest one it serves that we read). Any change
 * rebuilds the {@link MutationConfig} from the informers' stores, once per burst of events. An object the parsers
 * refuse is left out and reported as a problem, and each mutator gets this replica's {@code status.byPod} entry
 * (enforced, or why not). Rebuilds run on the controller's own work queue under one key, so
 * events that come while one runs make one more.
 */
final class MutationController {
    private static final Logger log = LoggerFactory.getLogger(MutationController.class);

    static final List<CrdKind> KINDS = List.of(
            new CrdKind("SeccompProfile", SpoResources.GROUP, "seccompprofiles", false, List.of("v1", "v1beta1")),
            new CrdKind("SelinuxProfile", SpoResources.GROUP, "selinuxprofiles", false, List.of("v1", "v1alpha2")),
            new CrdKind("RawSelinuxProfile", SpoResources.GROUP, "rawselinuxprofiles", false, List.of("v1", "v1alpha2")),
            new CrdKind("AppArmorProfile", SpoResources.GROUP, "apparmorprofiles", false, List.of("v1", "v1alpha1")),
            new CrdKind("ProfileBinding", SpoResources.GROUP, "profilebindings", true, List.of("v1", "v1alpha1")),
            new CrdKind("Assign", Mutators.GROUP, "assign", false, List.of("v1", "v1beta1", "v1alpha1")),
            new CrdKind("AssignMetadata", Mutators.GROUP, "assignmetadata", false, List.of("v1", "v1beta1", "v1alpha1")),
            new CrdKind("ModifySet", Mutators.GROUP, "modifyset", false, List.of("v1", "v1beta1", "v1alpha1")),
            new CrdKind("AssignImage", Mutators.GROUP, "assignimage", false, List.of("v1alpha1")));

    /** Gatekeeper's error type for a mutator skipped because its schema conflicts with another's. */
    private static final String CONFLICTING_SCHEMA = "ErrConflictingSchema";

    private final Cluster cluster;
    private final CrdInstaller crds;
    private final WorkQueue queue;
    private final OwnEntries entries;
    private final Map<CrdKind, Informer> informers = new LinkedHashMap<>();
    private volatile MutationConfig config = MutationConfig.EMPTY;
    /** Whether a rebuild has read every informer's complete first list. */
    private volatile boolean builtFromFullLists;
    /** Set once every informer is registered: rebuilds before that would read a half-filled map. */
    private volatile boolean started;

    MutationController(Cluster cluster, CrdInstaller crds, WorkQueue queue) {
        this.cluster = cluster;
        this.crds = crds;
        this.queue = queue;
        this.entries = new OwnEntries(cluster);
    }

    void start() {
        for (CrdKind kind : KINDS) {
            Optional<ResourceDefinitionContext> served = kind.context(crds, problem -> {
                log.warn("{} objects are not read: {}", kind.kind(), problem);
                cluster.problems().set("mutation " + kind.kind(), problem);
            });
            if (served.isEmpty()) {
                continue;
            }
            ResourceDefinitionContext context = served.get();
            var operation = cluster.client().genericKubernetesResources(context);
            // Profiles are read with their status (whether they are installed); bindings and mutators only by their
            // spec, so the status a binding webhook writes for every bound pod does not rebuild anything.
            boolean statusMatters = !kind.kind().equals("ProfileBinding") && !kind.group().equals(Mutators.GROUP);
            Map<String, String> versions = new HashMap<>();
            Informer informer = Informer.start(kind.kind() + "s", kind.namespaced() ? operation.inAnyNamespace() : operation,
                    context, cluster.json(), new Informer.Listener() {
                        @Override
                        public void upsert(ObjectNode object) {
                            String version = KubeJson.uid(object) + "/" + KubeJson.generation(object);
                            String before = versions.put(JsonFields.describe(object), version);
                            if (statusMatters || !version.equals(before)) {
                                queueRebuild();
                            }
                        }

                        @Override
                        public void delete(ObjectNode object) {
                            versions.remove(JsonFields.describe(object));
                            queueRebuild();
                        }
                    }, this::queueRebuild);
            informers.put(kind, informer);
        }
        started = true;
        queueRebuild();
    }

    void stop() {
        informers.values().forEach(Informer::stop);
    }

    MutationConfig config() {
        return config;
    }

    boolean initialLoadDone() {
        return builtFromFullLists;
    }

    /** A mutator object as read, from the informer of this context; {@code refused} is why it did not parse, or null. */
    private record MutatorObject(ResourceDefinitionContext context, ObjectNode object, String refused) {
    }

    /**
     * Each mutator's {@code status.byPod} entry, as Gatekeeper's mutator controller writes it: enforced, or not with
     * the reason (the parser's message, or the schema conflict, typed {@code ErrConflictingSchema}). Only entries
     * that changed are written.
     */
    private void writeMutatorStatus(List<MutatorObject> objects, Map<MutatorId, String> conflicts) {
        Set<String> present = new HashSet<>();
        for (MutatorObject m : objects) {
            present.add(OwnEntries.key(m.context(), m.object()));
            String conflict = conflicts.get(new MutatorId(m.context().getKind(), JsonFields.name(m.object())));
            List<ObjectNode> errors = m.refused() != null ? List.of(ByPod.typedError(null, m.refused()))
                    : conflict != null ? List.of(ByPod.typedError(CONFLICTING_SCHEMA, conflict)) : List.of();
            entries.write(m.context(), m.object(), ByPod.mutatorEntry(cluster.identity(), m.object(), errors.isEmpty(),
                    errors));
        }
        entries.retainOnly(present);
    }

    /** One rebuild from the stores as they are then; a burst of events while one waits makes no more. */
    private void queueRebuild() {
        queue.submit("mutation", "rebuild mutation config", this::rebuild);
    }

    private void rebuild() {
        if (!started) {
            return;
        }
        boolean fullLists = informers.values().stream().allMatch(Informer::synced);
        List<SecurityProfile> profiles = new ArrayList<>();
        List<ProfileBinding> bindings = new ArrayList<>();
        List<Mutator> mutators = new ArrayList<>();
        // Each mutator object with the informer it came from and, if refused, why.
        List<MutatorObject> mutatorObjects = new ArrayList<>();
        cluster.problems().clear("mutation object ");
        for (Map.Entry<CrdKind, Informer> entry : informers.entrySet()) {
            boolean isMutator = entry.getKey().group().equals(Mutators.GROUP);
            for (ObjectNode object : entry.getValue().objects()) {
                String refused = null;
                try {
                    switch (entry.getKey().kind()) {
                        case "ProfileBinding" -> bindings.add(SpoResources.parseBinding(object));
                        case "Assign", "AssignMetadata", "ModifySet", "AssignImage" -> mutators.add(Mutators.parse(object));
                        default -> profiles.add(SpoResources.parseProfile(object));
                    }
                } catch (RuntimeException e) {
                    // Status carries the builder's own text, as Gatekeeper's does; the problem list names the object.
                    refused = e.getCause() instanceof IllegalArgumentException cause ? cause.getMessage() : e.getMessage();
                    cluster.problems().set("mutation object " + entry.getKey().kind() + " " + JsonFields.describe(object),
                            e.getMessage());
                }
                if (isMutator) {
                    mutatorObjects.add(new MutatorObject(entry.getValue().context(), object, refused));
                }
            }
        }
        // Conflicting mutators do not fail the configuration: they come back as its conflicts, for their status.
        config = MutationConfig.of(profiles, bindings, mutators);
        writeMutatorStatus(mutatorObjects, config.mutators().conflicts());
        builtFromFullLists |= fullLists;
        log.debug("mutation config: {} profiles, {} bindings, {} mutators", profiles.size(), bindings.size(), mutators.size());
    }
}
