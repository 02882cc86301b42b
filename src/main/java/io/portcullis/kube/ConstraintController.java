package io.portcullis.kube;

import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.portcullis.constraint.Constraint;
import io.portcullis.constraint.InvalidConstraintException;
import io.portcullis.constraint.Kube;
import io.portcullis.constraint.Validator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Watches the constraints of every loaded template (behaviour notes §1.4 step 5, §2.6): one informer per kind, at
 * {@code constraints.gatekeeper.sh/v1beta1}, started once the kind's CRD is Established and stopped when the
 * template or the CRD goes. Each constraint is validated and loaded into the {@link Validator}; its
 * {@code status.byPod} entry says whether this replica enforces it, or why not.
 */
final class ConstraintController {
    private static final Logger log = LoggerFactory.getLogger(ConstraintController.class);
    /** How soon a binding the API server refused is tried again (a new constraint kind takes it seconds to map). */
    private static final Duration VAP_RETRY = Duration.ofSeconds(5);

    private record Handled(String uid, long generation) {
    }

    /** The watch of one kind; replaced by a new object when restarted, so late events of an old one are ignored. */
    private static final class KindWatch {
        final String kind;
        final Map<String, Handled> handled = new HashMap<>();
        Informer informer;
        Set<String> initial;

        KindWatch(String kind) {
            this.kind = kind;
        }
    }

    private final Cluster cluster;
    private final Validator validator;
    private final VapGenerator vap;
    private final Map<String, KindWatch> watches = new TreeMap<>();
    private Informer crds;
    private Consumer<String> crdLost = kind -> { };

    ConstraintController(Cluster cluster, Validator validator, VapGenerator vap) {
        this.cluster = cluster;
        this.validator = validator;
        this.vap = vap;
    }

    /** Told the kind of a constraint CRD that was deleted, so that a template still present can apply it again. */
    void onCrdLost(Consumer<String> listener) {
        this.crdLost = listener;
    }

    void start() {
        crds = Informer.start("constraint CRDs", cluster.client().genericKubernetesResources(CrdInstaller.CRDS)
                .withLabel(ConstraintCrd.LABEL, "yes"), CrdInstaller.CRDS, cluster.json(), cluster.worker(),
                new Informer.Listener() {
                    @Override
                    public void upsert(ObjectNode crd) {
                        crdChanged(crd);
                    }

                    @Override
                    public void delete(ObjectNode crd) {
                        crdDeleted(crd);
                    }
                }, () -> crds.objects().forEach(this::crdChanged));
    }

    void stop() {
        if (crds != null) {
            crds.stop();
        }
        watches.values().forEach(w -> w.informer.stop());
        watches.clear();
    }

    /** The template of this kind loaded (again): watch its constraints, or check them against the new version. */
    void templateLoaded(String kind) {
        KindWatch watch = watches.get(kind);
        if (watch != null) {
            if (watch.initial != null) {
                reconcileAll(watch, true);
            }
        } else if (isEstablished(kind)) {
            watch(kind);
        }
    }

    void templateRemoved(String kind) {
        unwatch(kind);
    }

    /** Every constraint of these kinds that existed when its watch started has been handled. */
    boolean initialLoadDone(Set<String> kinds) {
        if (crds == null || !crds.synced()) {
            return false;
        }
        for (String kind : kinds) {
            KindWatch watch = watches.get(kind);
            if (watch == null || watch.initial == null || !watch.handled.keySet().containsAll(watch.initial)) {
                return false;
            }
        }
        return true;
    }

    private boolean isEstablished(String kind) {
        ObjectNode crd = crds == null ? null : crds.get("", ConstraintCrd.name(kind));
        return crd != null && KubeJson.isEstablished(crd);
    }

    private void crdChanged(ObjectNode crd) {
        String kind = Kube.text(crd.path("spec").path("names").path("kind"));
        if (Constraint.GROUP.equals(Kube.text(crd.path("spec").path("group"))) && KubeJson.isEstablished(crd)
                && !watches.containsKey(kind) && validator.template(kind).isPresent()) {
            watch(kind);
        }
    }

    private void crdDeleted(ObjectNode crd) {
        String kind = Kube.text(crd.path("spec").path("names").path("kind"));
        if (crds.get("", Kube.name(crd)) == null) {
            unwatch(kind);
            crdLost.accept(kind);
        }
    }

    private void watch(String kind) {
        ResourceDefinitionContext context = KubeJson.context(Constraint.GROUP, "v1beta1", kind, ConstraintCrd.plural(kind),
                false);
        KindWatch watch = new KindWatch(kind);
        watches.put(kind, watch);
        watch.informer = Informer.start("constraints " + kind, cluster.client().genericKubernetesResources(context),
                context, cluster.json(), cluster.worker(), new Informer.Listener() {
                    @Override
                    public void upsert(ObjectNode constraint) {
                        if (watches.get(kind) == watch) {
                            reconcile(watch, Kube.name(constraint), false);
                        }
                    }

                    @Override
                    public void delete(ObjectNode constraint) {
                        if (watches.get(kind) == watch) {
                            deleted(watch, Kube.name(constraint));
                        }
                    }
                }, () -> {
                    if (watches.get(kind) == watch) {
                        watch.initial = new HashSet<>();
                        watch.informer.objects().forEach(c -> watch.initial.add(Kube.name(c)));
                        reconcileAll(watch, false);
                        log.info("watching {} constraints of kind {}", watch.initial.size(), kind);
                    }
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

    private void reconcileAll(KindWatch watch, boolean force) {
        for (ObjectNode constraint : watch.informer.objects()) {
            reconcile(watch, Kube.name(constraint), force);
        }
    }

    private void deleted(KindWatch watch, String name) {
        if (watch.informer.get("", name) != null) {
            reconcile(watch, name, false);
            return;
        }
        Handled gone = watch.handled.remove(name);
        if (gone != null) {
            vap.constraintRemoved(watch.kind, name, gone.uid());
        }
        if (watch.initial != null) {
            watch.initial.remove(name);
        }
        validator.removeConstraint(watch.kind, name);
        cluster.problems().set(watch.kind + " " + name, null);
    }

    private void reconcile(KindWatch watch, String name, boolean force) {
        ObjectNode constraint = watch.informer.get("", name);
        if (constraint == null) {
            return;
        }
        String uid = KubeJson.uid(constraint);
        long generation = KubeJson.generation(constraint);
        Handled before = watch.handled.get(name);
        if (!force && before != null && before.uid().equals(uid) && before.generation() == generation) {
            return;
        }
        List<ObjectNode> errors = new ArrayList<>();
        VapGenerator.Outcome vapOutcome;
        try {
            validator.addConstraint(constraint);
            vapOutcome = vap.constraintLoaded(constraint);
        } catch (InvalidConstraintException e) {
            // What does not validate is not enforced, not even an earlier version of it, nor by a binding.
            validator.removeConstraint(watch.kind, name);
            vap.constraintRemoved(watch.kind, name, uid);
            vapOutcome = VapGenerator.Outcome.NONE;
            errors.add(ByPod.error(null, e.getMessage()));
            log.warn("{} {} not loaded: {}", watch.kind, name, e.getMessage());
        }
        boolean enforced = errors.isEmpty();
        errors.addAll(vapOutcome.errors());
        watch.handled.put(name, new Handled(uid, generation));
        cluster.problems().set(watch.kind + " " + name, errors.isEmpty() ? null : errors.getFirst().path("message").asString());
        ObjectNode entry = ByPod.constraintEntry(cluster.identity(), constraint, enforced, errors);
        if (vapOutcome.status() != null) {
            entry.putArray("enforcementPointsStatus").add(vapOutcome.status());
        }
        cluster.status().update(watch.informer.context(), null, name, uid,
                status -> ByPod.merge(status, entry, cluster.livePods().get()));
        if (vapOutcome.retry()) {
            cluster.worker().schedule("retry binding of " + watch.kind + " " + name, VAP_RETRY,
                    () -> retry(watch, name, uid, generation));
        }
    }

    /** Tries the constraint again if the same version of it is still the one whose binding failed. */
    private void retry(KindWatch watch, String name, String uid, long generation) {
        Handled now = watch.handled.get(name);
        if (watches.get(watch.kind) == watch && now != null && now.uid().equals(uid) && now.generation() == generation) {
            reconcile(watch, name, true);
        }
    }
}
