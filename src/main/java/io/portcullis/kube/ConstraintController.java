package io.portcullis.kube;

import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.portcullis.constraint.CompiledTemplate;
import io.portcullis.constraint.Constraint;
import io.portcullis.constraint.InvalidConstraintException;
import io.portcullis.json.JsonFields;
import io.portcullis.constraint.Validator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Watches the constraints of every loaded template (behaviour notes §1.4 step 5, §2.6): one informer per kind, at
 * {@code constraints.gatekeeper.sh/v1beta1}, started once the kind's template is in the {@link Validator} and its
 * CRD is Established, stopped when either goes. Each constraint is validated and loaded into the validator; its
 * {@code status.byPod} entry says whether this replica enforces it, or why not.
 *
 * <p>The work queue's key is the kind: every event of a kind (its template, its CRD, any of its constraints) asks
 * for one reconcile of the whole kind, which compares what the store holds with what was handled. Kinds are handled
 * in parallel, each kind by one thread at a time.
 */
final class ConstraintController {
    private static final Logger log = LoggerFactory.getLogger(ConstraintController.class);
    /** How soon a binding the API server refused is tried again (a new constraint kind takes it seconds to map). */
    private static final Duration VAP_RETRY = Duration.ofSeconds(5);

    /** The version handled; {@code retry} when its binding was refused and is to be tried again. */
    private record Handled(String uid, long generation, boolean retry) {
    }

    /** The watch of one kind; replaced by a new object when restarted. */
    private static final class KindWatch {
        final Map<String, Handled> handled = new ConcurrentHashMap<>();
        final Informer informer;
        /** Names present when the first list came in; null until then. */
        volatile Set<String> initial;
        /** The template version the constraints were last checked against. */
        CompiledTemplate checkedAgainst;

        KindWatch(Informer informer) {
            this.informer = informer;
        }
    }

    private final Cluster cluster;
    private final Validator validator;
    private final VapGenerator vap;
    private final ConstraintCrds crds;
    private final WorkQueue queue;
    private final Map<String, KindWatch> watches = new ConcurrentHashMap<>();

    ConstraintController(Cluster cluster, Validator validator, VapGenerator vap, ConstraintCrds crds, WorkQueue queue) {
        this.cluster = cluster;
        this.validator = validator;
        this.vap = vap;
        this.crds = crds;
        this.queue = queue;
        crds.onChange(this::kindChanged);
        crds.onDelete(this::kindChanged);
    }

    void stop() {
        watches.values().forEach(w -> w.informer.stop());
        watches.clear();
    }

    /** The template of the kind was loaded, replaced or removed: its constraints follow. */
    void kindChanged(String kind) {
        queue.submit(kind, "constraints of " + kind, () -> reconcileKind(kind));
    }

    /** Every constraint of these kinds that existed when its watch started has been handled. */
    boolean initialLoadDone(Set<String> kinds) {
        if (!crds.synced()) {
            return false;
        }
        for (String kind : kinds) {
            KindWatch watch = watches.get(kind);
            Set<String> initial = watch == null ? null : watch.initial;
            if (initial == null || !watch.handled.keySet().containsAll(initial)) {
                return false;
            }
        }
        return true;
    }

    /** Brings the kind's watch and its constraints in the validator to what the cluster holds now. */
    private void reconcileKind(String kind) {
        Optional<CompiledTemplate> template = validator.template(kind);
        if (template.isEmpty() || !crds.established(kind)) {
            // A constraint never acts before its template is known and its CRD is served.
            unwatch(kind);
            return;
        }
        KindWatch watch = watches.get(kind);
        if (watch == null) {
            watch(kind);
            return;
        }
        Set<String> initial = watch.initial;
        if (initial == null) {
            return;  // the first list submits the kind again
        }
        boolean force = watch.checkedAgainst != template.get();
        watch.checkedAgainst = template.get();
        Set<String> present = new HashSet<>();
        for (ObjectNode constraint : watch.informer.objects()) {
            present.add(JsonFields.name(constraint));
            reconcile(kind, watch, constraint, force);
        }
        for (String name : List.copyOf(watch.handled.keySet())) {
            if (!present.contains(name)) {
                deleted(kind, watch, name);
            }
        }
        initial.retainAll(present);
    }

    private void watch(String kind) {
        ResourceDefinitionContext context = KubeJson.context(Constraint.GROUP, "v1beta1", kind, ConstraintCrd.plural(kind),
                false);
        Informer informer = Informer.create("constraints " + kind, cluster.client().genericKubernetesResources(context),
                context, cluster.json(), new Informer.Listener() {
                    @Override
                    public void upsert(ObjectNode constraint) {
                        kindChanged(kind);
                    }

                    @Override
                    public void delete(ObjectNode constraint) {
                        kindChanged(kind);
                    }
                });
        KindWatch watch = new KindWatch(informer);
        watches.put(kind, watch);
        informer.run(() -> {
            Set<String> initial = ConcurrentHashMap.newKeySet();
            informer.objects().forEach(c -> initial.add(JsonFields.name(c)));
            watch.initial = initial;
            log.info("watching {} constraints of kind {}", initial.size(), kind);
            kindChanged(kind);
        });
    }

    private void unwatch(String kind) {
        KindWatch watch = watches.remove(kind);
        if (watch == null) {
            return;
        }
        watch.informer.stop();
        for (String name : watch.handled.keySet()) {
            validator.removeConstraint(kind, name);
        }
        cluster.problems().clear(kind + " ");
        log.info("stopped watching constraints of kind {}", kind);
    }

    private void deleted(String kind, KindWatch watch, String name) {
        Handled gone = watch.handled.remove(name);
        if (gone != null) {
            vap.constraintRemoved(kind, name, gone.uid());
        }
        validator.removeConstraint(kind, name);
        cluster.problems().set(kind + " " + name, null);
    }

    private void reconcile(String kind, KindWatch watch, ObjectNode constraint, boolean force) {
        String name = JsonFields.name(constraint);
        String uid = KubeJson.uid(constraint);
        long generation = KubeJson.generation(constraint);
        Handled before = watch.handled.get(name);
        if (!force && before != null && !before.retry() && before.uid().equals(uid) && before.generation() == generation) {
            return;
        }
        List<ObjectNode> errors = new ArrayList<>();
        VapGenerator.Outcome vapOutcome;
        try {
            validator.addConstraint(constraint);
            vapOutcome = vap.constraintLoaded(constraint);
        } catch (InvalidConstraintException e) {
            // What does not validate is not enforced, not even an earlier version of it, nor by a binding.
            validator.removeConstraint(kind, name);
            vap.constraintRemoved(kind, name, uid);
            vapOutcome = VapGenerator.Outcome.NONE;
            errors.add(ByPod.error(null, e.getMessage()));
            log.warn("{} {} not loaded: {}", kind, name, e.getMessage());
        }
        boolean enforced = errors.isEmpty();
        errors.addAll(vapOutcome.errors());
        watch.handled.put(name, new Handled(uid, generation, vapOutcome.retry()));
        cluster.problems().set(kind + " " + name, errors.isEmpty() ? null : errors.getFirst().path("message").asString());
        ObjectNode entry = ByPod.constraintEntry(cluster.identity(), constraint, enforced, errors);
        if (vapOutcome.status() != null) {
            entry.putArray("enforcementPointsStatus").add(vapOutcome.status());
        }
        cluster.status().update(watch.informer.context(), null, name, uid,
                status -> ByPod.merge(status, entry, cluster.livePods().get()));
        if (vapOutcome.retry()) {
            queue.submitAfter(kind, VAP_RETRY, "retry bindings of " + kind, () -> reconcileKind(kind));
        }
    }
}
