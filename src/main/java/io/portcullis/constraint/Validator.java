package io.portcullis.constraint;

import io.portcullis.json.JsonFields;
import io.portcullis.admission.AdmissionJson;
import io.portcullis.engine.PolicyCompileException;
import io.portcullis.engine.PolicyEvaluationException;
import io.portcullis.engine.PolicyEvaluator;
import io.portcullis.engine.RegoJson;
import io.portcullis.match.MatchException;
import io.portcullis.match.Matcher;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Gatekeeper's validation client: holds templates, constraints and the inventory, and reviews objects against
 * them. This is what the webhook, audit and the CLI call.
 *
 * <p>A review selects the constraints whose match selects the object (in Java) and hands each to the {@link Driver}
 * of its template, as the constraint framework's client does: templates with CEL to the {@link CelDriver} (unless
 * the compiler was built without it), the others to the Rego path here. Rego constraints are evaluated the way
 * Gatekeeper's Rego driver does, all constraints of a template in one query, and goes one step further: templates
 * compiled together into one group module ({@link #prepare}) are evaluated in one query too, so the review is
 * serialised and parsed into wasm memory once per request instead of once per constraint. Each constraint's
 * entry in that query ({@code name} and {@code parameters}) is serialised once, when it is loaded.
 *
 * <p>Thread-safe. Reviews read an immutable snapshot of templates, constraints and the evaluation plan and never
 * block each other; changes are serialised and swap in a new snapshot, compiling outside the lock.
 *
 * <pre>{@code
 * Validator validator = new Validator(new TemplateCompiler(new PolicyEngine(EngineConfig.defaults())));
 * validator.addTemplate(templateJson);
 * validator.addConstraint(constraintJson);
 * validator.prepare(Duration.ZERO);   // optional: group the templates, compile them to bytecode
 * List<Result> results = validator.review(Review.ofAdmissionRequest(request, namespace), EnforcementPoint.WEBHOOK);
 * }</pre>
 */
public final class Validator {
    private static final Logger log = LoggerFactory.getLogger(Validator.class);
    // Not Jackson's default mapper: it refuses to write trees deeper than 500, and reviews may nest up to the
    // webhook's limit (portcullis.webhook.max-nesting-depth, 1000).
    private static final ObjectMapper JSON = AdmissionJson.treeMapper();
    private static final Comparator<Result> GATEKEEPER_ORDER =
            Comparator.comparing(Result::enforcementAction).thenComparing(Result::msg);
    /** Templates per group module: bounds a group's compile time and the cost of recompiling it after an edit. */
    private static final int MAX_GROUP_SIZE = 64;
    private static final ScheduledExecutorService BACKGROUND = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "portcullis-template-grouping");
        t.setDaemon(true);
        return t;
    });

    private final TemplateCompiler compiler;
    private final Inventory inventory = new Inventory();
    private final AtomicBoolean preparing = new AtomicBoolean();
    private final Object writes = new Object();
    /** Evaluators holding an inventory snapshot, per unit whose templates read data.inventory. */
    private final Map<EvaluationUnit, WithInventory> inventoryEvaluators = new ConcurrentHashMap<>();
    private volatile State state = new State(Map.of(), Map.of(), EvaluationPlan.singles(Map.of()));

    /**
     * Templates by kind, each kind's constraints by name, and which unit evaluates each template; never modified
     * once published.
     */
    private record State(Map<String, CompiledTemplate> templates, Map<String, Map<String, Loaded>> constraints,
            EvaluationPlan plan) {
        State withTemplates(Map<String, CompiledTemplate> newTemplates, Map<String, Map<String, Loaded>> newConstraints) {
            return new State(newTemplates, newConstraints, EvaluationPlan.singles(newTemplates));
        }
    }

    /**
     * A constraint with what the batch input needs of it, serialised once: its entry,
     * {@code {"name":..,"parameters":..}}, and its kind as a JSON key, {@code "Kind":}.
     */
    private record Loaded(Constraint constraint, byte[] inputEntry, byte[] kindKey) {
        static Loaded of(Constraint constraint) {
            ObjectNode entry = JsonNodeFactory.instance.objectNode();
            entry.put("name", constraint.name());
            entry.set("parameters", constraint.parameters());
            byte[] kind = JSON.writeValueAsBytes(constraint.kind());
            byte[] key = Arrays.copyOf(kind, kind.length + 1);
            key[kind.length] = ':';
            return new Loaded(constraint, RegoJson.write(entry, RegoJson.Numbers.INT64_OR_FLOAT64), key);
        }
    }

    private record WithInventory(long version, PolicyEvaluator evaluator) {
    }

    public Validator(TemplateCompiler compiler) {
        this.compiler = compiler;
    }

    /** Parses, checks and compiles a ConstraintTemplate object and loads it (replacing one of the same kind). */
    public CompiledTemplate addTemplate(JsonNode template) throws InvalidTemplateException {
        return addTemplate(TemplateParser.parse(template, ""));
    }

    /**
     * Compiles and loads the template. If it fails, the previously loaded version of it (if any) stays in force.
     * Constraints of the kind are checked again against the new schema; those that no longer pass are dropped.
     */
    public CompiledTemplate addTemplate(ConstraintTemplate template) throws InvalidTemplateException {
        CompiledTemplate compiled = compiler.compile(template);
        synchronized (writes) {
            load(compiled);
        }
        return compiled;
    }

    /**
     * Compiles the templates in parallel (one task per core) and loads those that compile; the outcome of each,
     * in the given order, is the compiled template or the reason it was refused.
     */
    public List<TemplateCompiler.Outcome> addTemplates(List<ConstraintTemplate> templates) {
        List<TemplateCompiler.Outcome> outcomes = compiler.compileAll(templates);
        synchronized (writes) {
            for (TemplateCompiler.Outcome outcome : outcomes) {
                if (outcome.compiled() != null) {
                    load(outcome.compiled());
                }
            }
        }
        return outcomes;
    }

    /** Under the write lock: publishes the compiled template and re-checks its kind's constraints. */
    private void load(CompiledTemplate compiled) {
        String kind = compiled.template().kind();
        State s = state;
        Map<String, CompiledTemplate> templates = new TreeMap<>(s.templates());
        templates.put(kind, compiled);
        Map<String, Map<String, Loaded>> constraints = new TreeMap<>(s.constraints());
        Map<String, Loaded> ofKind = constraints.get(kind);
        if (ofKind != null) {
            Map<String, Loaded> revalidated = new TreeMap<>();
            for (Loaded c : ofKind.values()) {
                try {
                    revalidated.put(c.constraint().name(), Loaded.of(Constraint.parse(c.constraint().object(), compiled)));
                } catch (InvalidConstraintException e) {
                    // no longer valid for the new template: not enforced any more
                }
            }
            constraints.put(kind, sorted(revalidated));
        }
        state = s.withTemplates(sorted(templates), sorted(constraints));
    }

    /** Removes the template of that name and all its constraints; answers whether it was loaded. */
    public boolean removeTemplate(String name) {
        synchronized (writes) {
            State s = state;
            Optional<String> kind = s.templates().keySet().stream()
                    .filter(k -> k.toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))).findFirst();
            if (kind.isEmpty()) {
                return false;
            }
            Map<String, CompiledTemplate> templates = new TreeMap<>(s.templates());
            templates.remove(kind.get());
            Map<String, Map<String, Loaded>> constraints = new TreeMap<>(s.constraints());
            constraints.remove(kind.get());
            state = s.withTemplates(sorted(templates), sorted(constraints));
            return true;
        }
    }

    /** Validates the constraint against its template and loads it (replacing one of the same kind and name). */
    public Constraint addConstraint(JsonNode constraint) throws InvalidConstraintException {
        String kind = Gvk.of(constraint).kind();
        synchronized (writes) {
            State s = state;
            CompiledTemplate template = s.templates().get(kind);
            if (template == null) {
                throw Constraint.missingTemplate(kind);
            }
            Constraint parsed = Constraint.parse(constraint, template);
            Map<String, Map<String, Loaded>> constraints = new TreeMap<>(s.constraints());
            Map<String, Loaded> ofKind = new TreeMap<>(constraints.getOrDefault(kind, Map.of()));
            ofKind.put(parsed.name(), Loaded.of(parsed));
            constraints.put(kind, sorted(ofKind));
            state = new State(s.templates(), sorted(constraints), s.plan());
            return parsed;
        }
    }

    /**
     * Validates a constraint against the loaded template of its kind without loading it: what the webhook checks
     * when a constraint is created or updated.
     */
    public Constraint checkConstraint(JsonNode constraint) throws InvalidConstraintException {
        String kind = Gvk.of(constraint).kind();
        CompiledTemplate template = state.templates().get(kind);
        if (template == null) {
            throw Constraint.missingTemplate(kind);
        }
        return Constraint.parse(constraint, template);
    }

    public boolean removeConstraint(String kind, String name) {
        synchronized (writes) {
            State s = state;
            Map<String, Loaded> ofKind = s.constraints().get(kind);
            if (ofKind == null || !ofKind.containsKey(name)) {
                return false;
            }
            Map<String, Loaded> remaining = new TreeMap<>(ofKind);
            remaining.remove(name);
            Map<String, Map<String, Loaded>> constraints = new TreeMap<>(s.constraints());
            constraints.put(kind, sorted(remaining));
            state = new State(s.templates(), sorted(constraints), s.plan());
            return true;
        }
    }

    /**
     * Groups the loaded templates into as few modules as their packages allow, compiles those to wasm and JVM
     * bytecode, and puts them in force; then evaluates every loaded constraint for {@code warmup} so that the
     * JIT has compiled the hot code before the first real request. Until this runs (and after any template change
     * since) each template is evaluated by its own module, with the same results. Failing groups are split until
     * they compile; a template that compiles on its own always does in its own module.
     */
    public void prepare(Duration warmup) {
        State s = state;
        List<EvaluationUnit> groups = new ArrayList<>();
        List<CompiledTemplate> rego = s.templates().values().stream().filter(CompiledTemplate::isRego).toList();
        for (List<CompiledTemplate> group : TemplateGroups.of(rego, MAX_GROUP_SIZE)) {
            compileGroup(group, groups);
        }
        EvaluationPlan plan = EvaluationPlan.of(s.templates(), groups);
        synchronized (writes) {
            State now = state;
            if (!plan.isFor(now.templates())) {
                return; // templates changed meanwhile: the next prepare groups the new ones
            }
            state = new State(now.templates(), now.constraints(), plan);
            // Units the plan no longer uses must not stay loaded through their inventory evaluators.
            inventoryEvaluators.keySet().retainAll(plan.units());
        }
        long start = System.nanoTime();
        Inventory.Snapshot data = inventory.snapshot();
        for (EvaluationUnit unit : plan.units()) {
            evaluator(unit, data); // instantiating compiles the module to bytecode, once
        }
        int rounds = WarmUp.run(this::warmUpRound, warmup);
        log.debug("prepared {} templates in {} units ({} grouped), {} warm-up rounds, {} ms", s.templates().size(),
                plan.units().size(), plan.groupedTemplates(), rounds, (System.nanoTime() - start) / 1_000_000);
    }

    /** Templates evaluated in a group of more than one (tests). */
    int groupedTemplates() {
        return state.plan().groupedTemplates();
    }

    /** Distinct modules that evaluate the loaded templates (tests). */
    int units() {
        return state.plan().units().size();
    }

    /** Whether the templates loaded now are evaluated as {@link #prepare} grouped them. */
    public boolean isPrepared() {
        return state.plan().isPrepared();
    }

    /**
     * {@link #prepare} without warm-up on a background thread, a second after the call (changes that come in a
     * burst, such as templates applied together, are grouped once). Calls while one is pending are merged.
     */
    public void prepareInBackground() {
        if (preparing.compareAndSet(false, true)) {
            BACKGROUND.schedule(() -> {
                preparing.set(false);
                try {
                    prepare(Duration.ZERO);
                } catch (RuntimeException e) {
                    log.warn("grouping templates failed; each is evaluated by its own module", e);
                }
            }, 1, TimeUnit.SECONDS);
        }
    }

    private void compileGroup(List<CompiledTemplate> group, List<EvaluationUnit> out) {
        if (group.size() < 2) {
            return;
        }
        try {
            out.add(compiler.compileGroup(group));
        } catch (PolicyCompileException | RuntimeException e) {
            log.warn("templates {} do not compile together ({}); splitting the group",
                    group.stream().map(t -> t.template().kind()).toList(), e.getMessage());
            int half = group.size() / 2;
            compileGroup(group.subList(0, half), out);
            compileGroup(group.subList(half, group.size()), out);
        }
    }

    /** One evaluation of every loaded constraint against a synthetic Pod review, per unit. */
    private void warmUpRound() {
        State s = state;
        Inventory.Snapshot data = inventory.snapshot();
        byte[] review = WarmUp.podReview();
        for (EvaluationUnit unit : s.plan().units()) {
            if (unit.policy().builtins().contains("external_data")) {
                continue; // a provider must never be asked about the synthetic Pod
            }
            Map<String, List<Loaded>> all = new TreeMap<>();
            for (String kind : unit.kinds()) {
                all.put(kind, List.copyOf(s.constraints().getOrDefault(kind, Map.of()).values()));
            }
            try {
                evaluator(unit, data).evaluateRaw(BatchHook.ENTRYPOINT, batchInput(review, all));
            } catch (PolicyEvaluationException e) {
                // warm-up only: a template that errors on the synthetic Pod is reported when a real one hits it
            }
        }
    }

    /** Puts an object into {@code data.inventory} (and, for a Namespace, into the Namespace fallback). */
    public void addData(JsonNode object) throws InvalidObjectException {
        inventory.add(object);
    }

    public boolean removeData(JsonNode object) throws InvalidObjectException {
        return inventory.remove(object);
    }

    /** Keeps a Namespace for matching and namespaceObject only, not in data.inventory (see Inventory). */
    public void addNamespace(JsonNode namespace) {
        inventory.putNamespace(namespace);
    }

    public void removeNamespace(JsonNode namespace) {
        inventory.removeNamespace(namespace);
    }

    public Inventory inventory() {
        return inventory;
    }

    public List<CompiledTemplate> templates() {
        return List.copyOf(state.templates().values());
    }

    public Optional<CompiledTemplate> template(String kind) {
        return Optional.ofNullable(state.templates().get(kind));
    }

    public List<Constraint> constraints() {
        List<Constraint> all = new ArrayList<>();
        state.constraints().values().forEach(m -> m.values().forEach(c -> all.add(c.constraint())));
        return all;
    }

    /**
     * Reviews an object at an enforcement point: every constraint whose action at that point is not empty and
     * whose match selects the object is evaluated by its template. Results come sorted as Gatekeeper sorts them
     * (enforcement action, then message). At the webhook, templates whose {@code operations} exclude the
     * request's operation are skipped.
     *
     * @throws ReviewException when a template returns a non-string {@code msg} (Gatekeeper fails the review)
     */
    public List<Result> review(Review review, EnforcementPoint enforcementPoint) throws ReviewException {
        State s = state;
        // Matching falls back to the synced Namespace of request.namespace; namespaceObject in the Rego input is
        // only ever the Namespace the caller resolved, as in Gatekeeper.
        JsonNode namespace = review.namespace();
        if (namespace == null && !review.requestNamespace().isEmpty()) {
            namespace = inventory.namespace(review.requestNamespace());
        }
        List<Result> results = new ArrayList<>();
        Map<EvaluationUnit, Map<String, List<Loaded>>> selected = new LinkedHashMap<>();
        List<Driver.Selected> celSelected = null;
        for (Map.Entry<String, CompiledTemplate> entry : s.templates().entrySet()) {
            CompiledTemplate template = entry.getValue();
            if (enforcementPoint == EnforcementPoint.WEBHOOK && !template.template().appliesTo(review.operation())) {
                continue;
            }
            for (Loaded loaded : s.constraints().getOrDefault(entry.getKey(), Map.of()).values()) {
                Constraint constraint = loaded.constraint();
                if (constraint.enforcement().actionsAt(enforcementPoint).isEmpty()) {
                    continue;
                }
                try {
                    if (!Matcher.matchesReview(constraint.match(), review.object(), review.oldObject(), namespace,
                            review.source())) {
                        continue;
                    }
                } catch (MatchException e) {
                    results.add(result(constraint, enforcementPoint, "unable to match constraints: error matching the "
                            + "requested object: " + JsonFields.name(review.subject()) + " :" + e.getMessage(), null));
                    continue;
                }
                if (template.isRego()) {
                    selected.computeIfAbsent(s.plan().unitOf(entry.getKey()), u -> new TreeMap<>())
                            .computeIfAbsent(entry.getKey(), k -> new ArrayList<>()).add(loaded);
                } else {
                    if (celSelected == null) {
                        celSelected = new ArrayList<>();
                    }
                    celSelected.add(new Driver.Selected(template, constraint));
                }
            }
        }
        if (celSelected != null) {
            results.addAll(CelDriver.INSTANCE.query(review, celSelected, enforcementPoint));
        }
        if (!selected.isEmpty()) {
            // Numbers as Gatekeeper hands the review to OPA: Go float64s.
            byte[] reviewJson = RegoJson.write(review.input(review.namespace()), RegoJson.Numbers.FLOAT64);
            Inventory.Snapshot data = inventory.snapshot();
            for (Map.Entry<EvaluationUnit, Map<String, List<Loaded>>> unit : selected.entrySet()) {
                if (Thread.currentThread().isInterrupted()) {
                    // The caller gave up on this review (its deadline passed): stop using CPU for it.
                    throw new ReviewException("the review was cancelled before all templates were evaluated");
                }
                results.addAll(evaluate(unit.getKey(), unit.getValue(), reviewJson, data, enforcementPoint));
            }
        }
        results.sort(GATEKEEPER_ORDER);
        return results;
    }

    /**
     * One query for the unit's selected constraints. When it fails, Gatekeeper's rule applies per template: every
     * selected constraint of the failing template gets one result carrying the error. A group that fails is
     * therefore queried again template by template (the same module, with one template's constraints in the input
     * each time), to find which one failed, unless it ran out of time.
     */
    private List<Result> evaluate(EvaluationUnit unit, Map<String, List<Loaded>> byKind, byte[] reviewJson,
            Inventory.Snapshot data, EnforcementPoint point) throws ReviewException {
        JsonNode value;
        try {
            value = evaluator(unit, data).evaluate(BatchHook.ENTRYPOINT, batchInput(reviewJson, byKind));
        } catch (PolicyEvaluationException e) {
            if (byKind.size() > 1 && e.reason() != PolicyEvaluationException.Reason.DEADLINE_EXCEEDED) {
                List<Result> results = new ArrayList<>();
                for (Map.Entry<String, List<Loaded>> kind : byKind.entrySet()) {
                    results.addAll(evaluate(unit, Map.of(kind.getKey(), kind.getValue()), reviewJson, data, point));
                }
                return results;
            }
            List<Result> errors = new ArrayList<>();
            byKind.values().forEach(constraints -> constraints.forEach(c ->
                    errors.add(result(c.constraint(), point, e.getMessage(), null))));
            return errors;
        }
        if (value == null || !value.isArray()) {
            return List.of();
        }
        List<Result> results = new ArrayList<>();
        for (JsonNode violation : value) {
            Constraint constraint = find(byKind, violation.path("kind").asString(""), violation.path("name").asString(""));
            if (constraint == null) {
                continue;
            }
            JsonNode msg = violation.get("msg");
            if (msg == null || !msg.isString()) {
                throw new ReviewException("constraint " + constraint.kind() + "/" + constraint.name()
                        + ": the violation's msg is not a string: " + msg);
            }
            results.add(result(constraint, point, msg.asString(), violation.get("details")));
        }
        return results;
    }

    private static Constraint find(Map<String, List<Loaded>> byKind, String kind, String name) {
        for (Loaded loaded : byKind.getOrDefault(kind, List.of())) {
            if (loaded.constraint().name().equals(name)) {
                return loaded.constraint();
            }
        }
        return null;
    }

    /** The unit's evaluator: shared empty-data instances, or instances holding this inventory snapshot. */
    private PolicyEvaluator evaluator(EvaluationUnit unit, Inventory.Snapshot data) {
        if (!unit.usesInventory()) {
            return unit.withoutData();
        }
        WithInventory current = inventoryEvaluators.get(unit);
        if (current != null && current.version() == data.version()) {
            return current.evaluator();
        }
        synchronized (inventoryEvaluators) {
            current = inventoryEvaluators.get(unit);
            if (current == null || current.version() != data.version()) {
                current = new WithInventory(data.version(), unit.loaded().withData(data.data()));
                inventoryEvaluators.put(unit, current);
                inventoryEvaluators.keySet().retainAll(state.plan().units());
            }
            return current.evaluator();
        }
    }

    private static final byte[] REVIEW_KEY = "{\"review\":".getBytes(StandardCharsets.UTF_8);
    private static final byte[] CONSTRAINTS_KEY = ",\"constraints\":{".getBytes(StandardCharsets.UTF_8);
    private static final byte[] END = "}}".getBytes(StandardCharsets.UTF_8);

    /**
     * {@code {"review": <review>, "constraints": {"<Kind>": [<entry>, ..], ..}}}, spliced from bytes serialised
     * once: the review per request, each constraint's entry and kind when it was loaded. A kind without
     * constraints is left out (the hook finds nothing to iterate either way).
     */
    private static byte[] batchInput(byte[] reviewJson, Map<String, List<Loaded>> byKind) {
        int size = reviewJson.length + REVIEW_KEY.length + CONSTRAINTS_KEY.length + END.length;
        for (List<Loaded> constraints : byKind.values()) {
            for (Loaded c : constraints) {
                size += c.kindKey().length + c.inputEntry().length + 2;
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(size);
        out.writeBytes(REVIEW_KEY);
        out.writeBytes(reviewJson);
        out.writeBytes(CONSTRAINTS_KEY);
        boolean firstKind = true;
        for (List<Loaded> constraints : byKind.values()) {
            if (constraints.isEmpty()) {
                continue;
            }
            if (!firstKind) {
                out.write(',');
            }
            firstKind = false;
            out.writeBytes(constraints.getFirst().kindKey());
            char separator = '[';
            for (Loaded c : constraints) {
                out.write(separator);
                separator = ',';
                out.writeBytes(c.inputEntry());
            }
            out.write(']');
        }
        out.writeBytes(END);
        return out.toByteArray();
    }

    /** A violation of the constraint at this enforcement point, as every driver reports it. */
    static Result result(Constraint constraint, EnforcementPoint point, String msg, JsonNode details) {
        return new Result(constraint.kind(), constraint.name(), constraint.object(), constraint.enforcement().action(),
                constraint.enforcement().actionsAt(point), msg,
                details == null ? JsonNodeFactory.instance.objectNode() : details);
    }

    private static <V> Map<String, V> sorted(Map<String, V> map) {
        return Collections.unmodifiableMap(new TreeMap<>(map));
    }

    /** A read-only view of the loaded constraints by kind, for status reporting. */
    public Map<String, List<String>> constraintNamesByKind() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        state.constraints().forEach((k, v) -> out.put(k, List.copyOf(v.keySet())));
        return out;
    }
}
