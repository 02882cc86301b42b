package io.portcullis.kube;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.portcullis.constraint.GatekeeperConfig;
import io.portcullis.constraint.Gvk;
import io.portcullis.constraint.InvalidObjectException;
import io.portcullis.json.JsonFields;
import io.portcullis.constraint.Validator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code data.inventory} and Gatekeeper's Config (behaviour notes §3.3, §5.1, §5.2): the Config named
 * {@code config} in our namespace and every SyncSet say which kinds to replicate (the union); one informer per kind
 * feeds the {@link Validator}'s inventory, leaving out namespaces the Config excludes from {@code sync}. Namespaces
 * are always watched, as namespaceSelector and the request's Namespace need them, but they are in
 * {@code data.inventory} only when the Config or a SyncSet asks for them, as in Gatekeeper. The Config gets this
 * replica's {@code status.byPod} entry; SyncSets get none, as Gatekeeper's have no status.
 *
 * <p>All of it runs on one thread of its own work queue, in the order the events came, except that a newer event
 * of an object replaces its older one still waiting.
 */
final class InventoryController {
    static final ResourceDefinitionContext CONFIGS = KubeJson.context(GatekeeperConfig.GROUP, "v1alpha1", "Config",
            "configs", true);
    static final ResourceDefinitionContext SYNCSETS = KubeJson.context("syncset.gatekeeper.sh", "v1alpha1", "SyncSet",
            "syncsets", false);
    static final ResourceDefinitionContext NAMESPACES = KubeJson.context("", "v1", "Namespace", "namespaces", false);
    private static final Gvk NAMESPACE = new Gvk("", "v1", "Namespace");
    private static final Duration RESOLVE_RETRY = Duration.ofSeconds(30);
    private static final Logger log = LoggerFactory.getLogger(InventoryController.class);

    private final Cluster cluster;
    private final Validator validator;
    private final String namespace;
    private final ResourceResolver resolver;
    private final WorkQueue queue;
    private final OwnEntries entries;
    /** Kinds synced into data.inventory; changed on the queue's thread, read by the readiness check. */
    private final Map<Gvk, Informer> synced = java.util.Collections.synchronizedMap(new LinkedHashMap<>());
    /** Informers whose first list has been handled on the queue. */
    private final Set<Informer> listed = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final Set<Gvk> unresolved = new LinkedHashSet<>();
    private final Map<String, List<Gvk>> syncSets = new HashMap<>();
    private volatile GatekeeperConfig config = GatekeeperConfig.EMPTY;
    /** The Config object last handled (null: none), and why it was refused (null: it was not). */
    private ObjectNode configObject;
    private String configRefused;
    private volatile Informer configs;
    private volatile Informer syncSetInformer;
    private volatile Informer namespaces;
    /** Whether Namespaces are also synced into data.inventory (they are always known for matching). */
    private boolean syncNamespaces;
    private boolean retryScheduled;

    InventoryController(Cluster cluster, Validator validator, String namespace, WorkQueue queue) {
        this.cluster = cluster;
        this.queue = queue;
        this.validator = validator;
        this.namespace = namespace;
        this.entries = new OwnEntries(cluster);
        this.resolver = new ResourceResolver(cluster.client(), cluster.json());
    }

    void start() {
        configs = Informer.start("Config", cluster.client().genericKubernetesResources(CONFIGS).inNamespace(namespace),
                CONFIGS, cluster.json(), new Informer.Listener() {
                    @Override
                    public void upsert(ObjectNode object) {
                        submit(object, "Config", () -> configChanged(object));
                    }

                    @Override
                    public void delete(ObjectNode object) {
                        submit(object, "Config", () -> configDeleted(object));
                    }
                }, () -> queue.submit(CONFIGS, "Config listed", () -> {
                    configs.objects().forEach(this::configChanged);
                    listed.add(configs);
                }));
        syncSetInformer = Informer.start("SyncSets", cluster.client().genericKubernetesResources(SYNCSETS), SYNCSETS,
                cluster.json(), new Informer.Listener() {
                    @Override
                    public void upsert(ObjectNode object) {
                        submit(object, "SyncSet", () -> syncSetChanged(object));
                    }

                    @Override
                    public void delete(ObjectNode object) {
                        submit(object, "SyncSet", () -> {
                            syncSets.remove(JsonFields.name(object));
                            updateWatches();
                        });
                    }
                }, () -> queue.submit(SYNCSETS, "SyncSets listed", () -> {
                    syncSetInformer.objects().forEach(this::syncSetChanged);
                    listed.add(syncSetInformer);
                }));
        watchKind(NAMESPACE, NAMESPACES, false, informer -> namespaces = informer);
    }

    void stop() {
        for (Informer informer : List.of(configs, syncSetInformer, namespaces)) {
            if (informer != null) {
                informer.stop();
            }
        }
        List.copyOf(synced.values()).forEach(Informer::stop);
    }

    /** Queues the event's work; a newer event of the same object replaces it while it waits. */
    private void submit(ObjectNode object, String what, Runnable work) {
        queue.submit(List.of(what, JsonFields.namespace(object), JsonFields.name(object)), what + " " + JsonFields.describe(object), work);
    }

    /** The Config in force ({@link GatekeeperConfig#EMPTY} while there is none). */
    GatekeeperConfig config() {
        return config;
    }

    /** The kinds replicated now. */
    Set<Gvk> syncedKinds() {
        synchronized (synced) {
            return Set.copyOf(synced.keySet());
        }
    }

    /** Config, SyncSets and Namespaces are listed, and so is every kind they asked for that exists. */
    boolean initialLoadDone() {
        if (configs == null || !listed.contains(configs) || !listed.contains(syncSetInformer)
                || !listed.contains(namespaces)) {
            return false;
        }
        synchronized (synced) {
            return listed.containsAll(synced.values());
        }
    }

    private void configChanged(ObjectNode object) {
        if (!GatekeeperConfig.NAME.equals(JsonFields.name(object))) {
            log.warn("Config {}/{} ignored: only the one named '{}' counts", namespace, JsonFields.name(object),
                    GatekeeperConfig.NAME);
            return;
        }
        if (configObject != null && KubeJson.uid(configObject).equals(KubeJson.uid(object))
                && KubeJson.generation(configObject) == KubeJson.generation(object)) {
            return;  // a status write (ours or another replica's) changes neither uid nor generation
        }
        configObject = object;
        try {
            config = GatekeeperConfig.parse(object);
            configRefused = null;
            cluster.problems().set("Config " + GatekeeperConfig.NAME, null);
        } catch (InvalidObjectException e) {
            configRefused = e.getMessage();
            cluster.problems().set("Config " + GatekeeperConfig.NAME, e.getMessage());
            writeConfigStatus();
            return;
        }
        updateWatches();
        resyncAll();
    }

    /**
     * The Config's {@code status.byPod} entry for this replica, as Gatekeeper's config controller writes it: an
     * error when the Config was refused or a kind it syncs cannot be watched (Gatekeeper's "error establishing
     * watches"), none once it can. Written only when it changed.
     */
    private void writeConfigStatus() {
        if (configObject == null) {
            return;
        }
        List<ObjectNode> errors = new ArrayList<>();
        if (configRefused != null) {
            errors.add(ByPod.typedError(null, configRefused));
        } else {
            List<String> failed = config.syncOnly().stream().filter(unresolved::contains)
                    .map(g -> g + ": no such resource in the cluster").toList();
            if (!failed.isEmpty()) {
                errors.add(ByPod.typedError(null, "error establishing watches: " + String.join("; ", failed)));
            }
        }
        entries.write(CONFIGS, configObject, ByPod.configEntry(cluster.identity(), configObject, errors));
    }

    private void configDeleted(ObjectNode object) {
        if (GatekeeperConfig.NAME.equals(JsonFields.name(object)) && configs.get(namespace, GatekeeperConfig.NAME) == null) {
            config = GatekeeperConfig.EMPTY;
            configObject = null;
            configRefused = null;
            entries.retainOnly(Set.of());
            cluster.problems().set("Config " + GatekeeperConfig.NAME, null);
            updateWatches();
            resyncAll();
        }
    }

    private void syncSetChanged(ObjectNode object) {
        List<Gvk> gvks = new ArrayList<>();
        for (var entry : object.path("spec").path("gvks")) {
            gvks.add(new Gvk(JsonFields.text(entry.get("group")), JsonFields.text(entry.get("version")), JsonFields.text(entry.get("kind"))));
        }
        syncSets.put(JsonFields.name(object), gvks);
        updateWatches();
    }

    /** Starts informers for kinds newly asked for, stops those no longer asked for and drops their objects. */
    private void updateWatches() {
        Set<Gvk> wanted = new LinkedHashSet<>(config.syncOnly());
        syncSets.values().forEach(wanted::addAll);
        boolean namespacesWanted = wanted.remove(NAMESPACE);
        if (namespacesWanted != syncNamespaces) {
            syncNamespaces = namespacesWanted;
            if (namespaces != null) {
                namespaces.objects().forEach(syncNamespaces ? this::addData : this::removeData);
            }
        }
        wanted.removeIf(g -> g.version().isEmpty() || g.kind().isEmpty());
        for (Gvk gvk : List.copyOf(synced.keySet())) {
            if (!wanted.contains(gvk)) {
                Informer informer = synced.remove(gvk);
                informer.stop();
                listed.remove(informer);
                informer.objects().forEach(this::removeData);
                log.info("no longer syncing {}", gvk);
            }
        }
        unresolved.retainAll(wanted);
        for (Gvk gvk : wanted) {
            if (synced.containsKey(gvk)) {
                continue;
            }
            Optional<ResourceDefinitionContext> context;
            try {
                context = resolver.resolve(gvk);
            } catch (KubernetesClientException e) {
                log.warn("cannot look up {}: {}", gvk, e.getMessage());
                context = Optional.empty();
            }
            if (context.isEmpty()) {
                unresolved.add(gvk);
                continue;
            }
            unresolved.remove(gvk);
            watchKind(gvk, context.get(), true, informer -> synced.put(gvk, informer));
            log.info("syncing {} into data.inventory", gvk);
        }
        cluster.problems().clear("sync ");
        unresolved.forEach(g -> cluster.problems().set("sync " + g,
                "no such resource in the cluster; looking again every " + RESOLVE_RETRY.toSeconds() + "s"));
        if (!unresolved.isEmpty() && !retryScheduled) {
            retryScheduled = true;
            queue.submitAfter("resolve", RESOLVE_RETRY, "resolve synced kinds", () -> {
                retryScheduled = false;
                updateWatches();
            });
        }
        writeConfigStatus();
    }

    /**
     * Starts syncing a kind; {@code keep} stores the informer before it starts, so that no event is judged against
     * an informer not yet current.
     */
    private void watchKind(Gvk gvk, ResourceDefinitionContext context, boolean applyExclusions,
            Consumer<Informer> keep) {
        ResourceDefinitionContext exact = KubeJson.context(gvk.group(), gvk.version(), gvk.kind(), context.getPlural(),
                context.isNamespaceScoped());
        Informer[] self = new Informer[1];
        var operation = cluster.client().genericKubernetesResources(exact);
        self[0] = Informer.create("sync " + gvk, exact.isNamespaceScoped() ? operation.inAnyNamespace() : operation,
                exact, cluster.json(), new Informer.Listener() {
                    @Override
                    public void upsert(ObjectNode object) {
                        submit(object, "sync " + gvk, () -> upserted(object));
                    }

                    private void upserted(ObjectNode object) {
                        if (gvk.equals(NAMESPACE) && current(gvk, self[0])) {
                            validator.addNamespace(object);
                            if (syncNamespaces) {
                                addData(object);
                            }
                        } else if (current(gvk, self[0])) {
                            if (applyExclusions && config.isExcluded(GatekeeperConfig.Process.SYNC, object, null)) {
                                removeData(object);
                            } else {
                                addData(object);
                            }
                        }
                    }

                    @Override
                    public void delete(ObjectNode object) {
                        submit(object, "sync " + gvk, () -> deleted(object));
                    }

                    private void deleted(ObjectNode object) {
                        if (current(gvk, self[0]) && self[0].get(JsonFields.namespace(object), JsonFields.name(object)) == null) {
                            if (gvk.equals(NAMESPACE)) {
                                validator.removeNamespace(object);
                            }
                            removeData(object);
                        }
                    }
                });
        keep.accept(self[0]);
        self[0].run(() -> queue.submit(self[0], "sync " + gvk + " listed", () -> {
            resync(self[0], applyExclusions);
            listed.add(self[0]);
        }));
    }

    /** Whether the informer is still the one syncing the kind (a stopped one may still deliver events). */
    private boolean current(Gvk gvk, Informer informer) {
        return gvk.equals(NAMESPACE) ? informer == namespaces : synced.get(gvk) == informer;
    }

    /** After the Config's exclusions changed: every synced object is added or removed again. */
    private void resyncAll() {
        List.copyOf(synced.values()).stream().filter(listed::contains).forEach(i -> resync(i, true));
    }

    private void resync(Informer informer, boolean applyExclusions) {
        if (informer == namespaces) {
            for (ObjectNode object : informer.objects()) {
                validator.addNamespace(object);
                if (syncNamespaces) {
                    addData(object);
                } else {
                    removeData(object);
                }
            }
            return;
        }
        for (ObjectNode object : informer.objects()) {
            if (applyExclusions && config.isExcluded(GatekeeperConfig.Process.SYNC, object, null)) {
                removeData(object);
            } else {
                addData(object);
            }
        }
    }

    private void addData(ObjectNode object) {
        try {
            validator.addData(object);
        } catch (InvalidObjectException e) {
            log.warn("cannot sync {}: {}", JsonFields.describe(object), e.getMessage());
        }
    }

    private void removeData(ObjectNode object) {
        try {
            validator.removeData(object);
        } catch (InvalidObjectException e) {
            log.warn("cannot unsync {}: {}", JsonFields.describe(object), e.getMessage());
        }
    }
}
