package io.portcullis.kube;

import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.portcullis.externaldata.InvalidProviderException;
import io.portcullis.externaldata.Provider;
import io.portcullis.externaldata.Providers;
import io.portcullis.json.JsonFields;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Gatekeeper's external data Providers from the cluster (cluster-scoped, read at the version the installed CRD
 * stores): each valid one goes into {@link Providers}, where external_data finds it; an invalid one is refused with
 * Gatekeeper's message and its previous version stays (as Gatekeeper's provider cache refuses the upsert). Each
 * replica reports in {@code status.byPod} as Gatekeeper's ProviderPodStatus does: {@code active}, and the errors
 * ({@code type: UpsertCache}, retryable) of a Provider it refused.
 */
final class ProviderController {
    static final CrdKind KIND = new CrdKind(Provider.KIND, Provider.GROUP, "providers",
            false, List.of("v1beta1", "v1alpha1"));

    /** The key of the work that marks the first list done: readiness is checked after every piece of work. */
    private static final Object SYNCED = new Object();

    private final Cluster cluster;
    private final CrdInstaller crds;
    private final Providers providers;
    private final Clock clock;
    private final WorkQueue queue;
    private volatile Informer informer;

    ProviderController(Cluster cluster, CrdInstaller crds, Providers providers, Clock clock, WorkQueue queue) {
        this.cluster = cluster;
        this.crds = crds;
        this.providers = providers;
        this.clock = clock;
        this.queue = queue;
    }

    void start() {
        Optional<ResourceDefinitionContext> served = KIND.context(crds, problem -> cluster.problems().set("external data", problem));
        if (served.isEmpty()) {
            return;
        }
        ResourceDefinitionContext context = served.get();
        informer = Informer.start("Providers", cluster.client().genericKubernetesResources(context), context,
                cluster.json(), new Informer.Listener() {
                    @Override
                    public void upsert(ObjectNode object) {
                        queue.submit(JsonFields.name(object), "load Provider " + JsonFields.name(object),
                                () -> load(object));
                    }

                    @Override
                    public void delete(ObjectNode object) {
                        String name = JsonFields.name(object);
                        queue.submit(name, "remove Provider " + name, () -> {
                            providers.remove(name);
                            cluster.problems().set("Provider " + name, null);
                        });
                    }
                }, () -> queue.submit(SYNCED, "Providers listed", () -> { }));
    }

    void stop() {
        if (informer != null) {
            informer.stop();
        }
    }

    boolean initialLoadDone() {
        return informer == null || informer.synced();
    }

    private void load(ObjectNode object) {
        String name = JsonFields.name(object);
        String error = null;
        try {
            providers.upsert(Provider.parse(object));
        } catch (InvalidProviderException e) {
            providers.reject(name);
            error = e.getMessage();
        }
        cluster.problems().set("Provider " + name, error);
        ObjectNode entry = entry(object, error, clock.instant());
        ResourceDefinitionContext context = informer.context();
        cluster.status().update(context, null, name, KubeJson.uid(object),
                status -> ByPod.merge(status, withTimes(entry, status, clock.instant()), cluster.livePods().get()));
    }

    /** Gatekeeper's ProviderPodStatus fields, but for the times, which depend on this pod's previous entry. */
    private ObjectNode entry(JsonNode provider, String error, Instant now) {
        ObjectNode entry = ByPod.providerEntry(cluster.identity(), provider, error == null);
        if (error != null) {
            ObjectNode e = entry.putArray("errors").addObject();
            e.put("type", "UpsertCache");
            e.put("message", error);
            e.put("retryable", true);
            e.put("errorTimestamp", now.toString());
        }
        return entry;
    }

    /**
     * {@code lastTransitionTime} when the errors changed, {@code lastCacheUpdateTime} when a version went into the
     * cache (the errors or the generation changed); otherwise both as this pod last wrote them.
     */
    private ObjectNode withTimes(ObjectNode entry, JsonNode status, Instant now) {
        JsonNode previous = null;
        for (JsonNode existing : status.path("byPod")) {
            if (JsonFields.text(existing.get("id")).equals(JsonFields.text(entry.get("id")))) {
                previous = existing;
            }
        }
        ObjectNode out = entry.deepCopy();
        boolean errorsChanged = previous == null || !messages(previous).equals(messages(entry));
        boolean generationChanged = previous == null
                || previous.path("observedGeneration").asLong(-1) != entry.path("observedGeneration").asLong();
        if (errorsChanged || previous.path("lastTransitionTime").isMissingNode()) {
            out.put("lastTransitionTime", now.toString());
        } else {
            out.set("lastTransitionTime", previous.get("lastTransitionTime"));
            if (out.has("errors") && previous.has("errors")) {
                out.set("errors", previous.get("errors")); // keep the first errorTimestamp of an unchanged error
            }
        }
        if (entry.path("active").asBoolean()) {
            if (errorsChanged || generationChanged || previous.path("lastCacheUpdateTime").isMissingNode()) {
                out.put("lastCacheUpdateTime", now.toString());
            } else {
                out.set("lastCacheUpdateTime", previous.get("lastCacheUpdateTime"));
            }
        } else if (previous != null && previous.has("lastCacheUpdateTime")) {
            out.set("lastCacheUpdateTime", previous.get("lastCacheUpdateTime"));
        }
        return out;
    }

    private static List<String> messages(JsonNode entry) {
        return entry.path("errors").valueStream().map(e -> e.path("type").asString("") + ":" + e.path("message").asString("")).toList();
    }
}
