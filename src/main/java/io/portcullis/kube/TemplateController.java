package io.portcullis.kube;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.portcullis.constraint.CompiledTemplate;
import io.portcullis.constraint.InvalidTemplateException;
import io.portcullis.json.JsonFields;
import io.portcullis.constraint.TemplateParser;
import io.portcullis.constraint.Validator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Gatekeeper's template controller (behaviour notes §1.4): each ConstraintTemplate is parsed and compiled into the
 * {@link Validator}, its constraint CRD is applied, its constraints are watched, and the outcome is written to
 * {@code status.byPod}. A template that fails (create_error, ingest_error) gets its errors in status and no CRD; if
 * an earlier version of it had loaded, that version stays in force, as in Gatekeeper. Deleting a template removes
 * it and its constraints from the validator and deletes its CRD.
 *
 * <p>The work queue's key is the template's name, so templates compile in parallel and a template that takes
 * seconds to compile holds up nothing but itself. The constraint controller is told of every kind that changed.
 */
final class TemplateController {
    static final ResourceDefinitionContext TEMPLATES = KubeJson.context(TemplateParser.GROUP, "v1", "ConstraintTemplate",
            "constrainttemplates", false);
    private static final Logger log = LoggerFactory.getLogger(TemplateController.class);
    private static final Duration CRD_RETRY = Duration.ofSeconds(30);

    /** The last version handled: a status write changes the resource version but not the generation. */
    private record Handled(String uid, long generation, String kind, boolean enforced) {
    }

    private final Cluster cluster;
    private final Validator validator;
    private final ConstraintController constraints;
    private final VapGenerator vap;
    private final WorkQueue queue;
    private final ConstraintCrds crds;
    private final Map<String, Handled> handled = new ConcurrentHashMap<>();
    /** Templates to load again although their version was handled: their CRD or policy is to be applied again. */
    private final Set<String> forced = ConcurrentHashMap.newKeySet();
    private volatile Informer informer;
    private volatile Set<String> initial;

    TemplateController(Cluster cluster, Validator validator, ConstraintController constraints, VapGenerator vap,
            ConstraintCrds crds, WorkQueue queue) {
        this.cluster = cluster;
        this.validator = validator;
        this.constraints = constraints;
        this.vap = vap;
        this.queue = queue;
        this.crds = crds;
        crds.onDelete(this::crdLost);
    }

    void start() {
        informer = Informer.create("ConstraintTemplates", cluster.client().genericKubernetesResources(TEMPLATES),
                TEMPLATES, cluster.json(), new Informer.Listener() {
                    @Override
                    public void upsert(ObjectNode template) {
                        submit(JsonFields.name(template));
                    }

                    @Override
                    public void delete(ObjectNode template) {
                        submit(JsonFields.name(template));
                    }
                });
        informer.run(this::synced);
    }

    void stop() {
        if (informer != null) {
            informer.stop();
        }
    }

    /** Every template present at start has been handled (compiled or refused). */
    boolean initialLoadDone() {
        Set<String> names = initial;
        return names != null && handled.keySet().containsAll(names);
    }

    /** Kinds of the templates present at start that loaded: their constraints must load before we are ready. */
    Set<String> initialKinds() {
        Set<String> names = initial;
        if (names == null) {
            return Set.of();
        }
        return names.stream().map(handled::get).filter(h -> h != null && h.enforced()).map(Handled::kind)
                .collect(Collectors.toSet());
    }

    private void synced() {
        Set<String> names = ConcurrentHashMap.newKeySet();
        informer.objects().forEach(template -> names.add(JsonFields.name(template)));
        initial = names;
        names.forEach(this::submit);
        log.info("{} ConstraintTemplates in the cluster", names.size());
    }

    /**
     * The template is reconciled on the queue: from the store, so the latest event wins. All work of a key is this
     * one reconcile, so newer work replacing older loses nothing; why it must compile again is kept in
     * {@link #forced}.
     */
    private void submit(String name) {
        queue.submit(name, "ConstraintTemplate " + name, () -> reconcile(name));
    }

    private void reconcile(String name) {
        reconcile(name, forced.remove(name));
    }

    private void deleted(String name) {
        Handled gone = handled.remove(name);
        Set<String> present = initial;
        if (present != null) {
            present.remove(name);
        }
        validator.removeTemplate(name);
        cluster.problems().set("ConstraintTemplate " + name, null);
        if (gone != null) {
            constraints.kindChanged(gone.kind());
            vap.templateDeleted(name, gone.kind());
        }
        // The API server's garbage collector deletes the CRD (we own it); deleting it here as well does not wait
        // for that, and covers CRDs that lost their owner reference.
        try {
            cluster.client().genericKubernetesResources(CrdInstaller.CRDS).withName(ConstraintCrd.name(name)).delete();
        } catch (KubernetesClientException e) {
            log.warn("cannot delete CRD {}: {}", ConstraintCrd.name(name), e.getMessage());
        }
        log.info("ConstraintTemplate {} deleted: no longer enforced", name);
    }

    private void reconcile(String name, boolean force) {
        ObjectNode template = informer.get("", name);
        if (template == null) {
            deleted(name);
            return;
        }
        String uid = KubeJson.uid(template);
        long generation = KubeJson.generation(template);
        Handled before = handled.get(name);
        if (!force && before != null && before.uid().equals(uid) && before.generation() == generation) {
            return;
        }
        if (before != null && !before.uid().equals(uid)) {
            // Re-created under the same name: nothing of the old object carries over.
            validator.removeTemplate(name);
        }
        List<ObjectNode> errors = new ArrayList<>();
        CompiledTemplate compiled = null;
        try {
            compiled = validator.addTemplate(TemplateParser.parse(template, ""));
        } catch (InvalidTemplateException e) {
            errors.addAll(ByPod.templateErrors(e));
            log.warn("ConstraintTemplate {} not loaded: {}", name, e.getMessage());
        }
        boolean crdApplied = false;
        String kind = compiled != null ? compiled.template().kind()
                : JsonFields.text(template.path("spec").path("crd").path("spec").path("names").path("kind"));
        if (compiled != null) {
            try {
                cluster.apply().apply(CrdInstaller.CRDS, ConstraintCrd.of(compiled.template(), compiled.schema(), template));
                crdApplied = true;
            } catch (KubernetesClientException e) {
                errors.add(ByPod.error(InvalidTemplateException.CREATE_ERROR, "Could not create CRD: " + e.getMessage()));
                log.warn("ConstraintTemplate {}: cannot apply CRD {}: {} (retrying in {})", name,
                        ConstraintCrd.name(kind), e.getMessage(), CRD_RETRY);
                queue.later(CRD_RETRY, () -> retry(name, uid, generation));
            }
        }
        // Gatekeeper generates the ValidatingAdmissionPolicy after the CRD, the policy's parameter kind.
        VapGenerator.Outcome vapOutcome = crdApplied ? vap.templateLoaded(template, kind) : VapGenerator.Outcome.NONE;
        errors.addAll(vapOutcome.errors());
        handled.put(name, new Handled(uid, generation, kind, crdApplied));
        cluster.problems().set("ConstraintTemplate " + name, errors.isEmpty() ? null
                : errors.stream().map(e -> e.path("message").asString()).collect(Collectors.joining("; ")));
        if (vapOutcome.retry()) {
            queue.later(CRD_RETRY, () -> retryVap(name, uid, generation));
        }
        if (crdApplied) {
            constraints.kindChanged(kind);
            log.info("ConstraintTemplate {} loaded (generation {}): kind {}", name, generation, kind);
        }
        ObjectNode entry = ByPod.templateEntry(cluster.identity(), template, errors);
        if (vapOutcome.status() != null) {
            entry.set("vapGenerationStatus", vapOutcome.status());
        }
        cluster.status().update(TEMPLATES, null, name, uid,
                status -> ByPod.mergeTemplate(status, entry, cluster.livePods().get()));
    }

    /**
     * A constraint CRD went away while its template is still here (deleted by hand, or the end of a deletion that
     * began before the template was re-created): apply it again.
     */
    private void crdLost(String kind) {
        handled.entrySet().stream().filter(e -> e.getValue().kind().equals(kind)).map(Map.Entry::getKey).findFirst()
                .ifPresent(name -> {
                    log.info("CRD {} was deleted; applying it again for ConstraintTemplate {}", ConstraintCrd.name(kind),
                            name);
                    forced.add(name);
                    submit(name);
                });
    }

    /** Applies the policy again if the same version of the template is still the one whose policy was refused. */
    private void retryVap(String name, String uid, long generation) {
        Handled now = handled.get(name);
        if (now != null && now.enforced() && now.uid().equals(uid) && now.generation() == generation) {
            forced.add(name);
            submit(name);
        }
    }

    /** Tries the CRD again if the same version of the template is still the one we failed on. */
    private void retry(String name, String uid, long generation) {
        Handled now = handled.get(name);
        if (now != null && !now.enforced() && now.uid().equals(uid) && now.generation() == generation) {
            forced.add(name);
            submit(name);
        }
    }
}
