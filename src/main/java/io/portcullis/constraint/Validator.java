package io.portcullis.constraint;

import io.portcullis.engine.PolicyEvaluationException;
import io.portcullis.engine.PolicyEvaluator;
import io.portcullis.engine.RegoJson;
import io.portcullis.match.MatchException;
import io.portcullis.match.Matcher;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Gatekeeper's validation client: holds templates, constraints and the inventory, and reviews objects against
 * them. This is what the webhook, audit and the CLI call.
 *
 * <p>Thread-safe. Reviews read an immutable snapshot of templates and constraints and never block each other;
 * changes are serialised and swap in a new snapshot, compiling outside the lock.
 *
 * <pre>{@code
 * Validator validator = new Validator(new TemplateCompiler(new PolicyEngine(EngineConfig.defaults())));
 * validator.addTemplate(templateJson);
 * validator.addConstraint(constraintJson);
 * List<Result> results = validator.review(Review.ofAdmissionRequest(request, namespace), EnforcementPoint.WEBHOOK);
 * }</pre>
 */
public final class Validator {
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final Comparator<Result> GATEKEEPER_ORDER =
            Comparator.comparing(Result::enforcementAction).thenComparing(Result::msg);

    private final TemplateCompiler compiler;
    private final Inventory inventory = new Inventory();
    private final Object writes = new Object();
    private volatile State state = new State(Map.of(), Map.of());

    /** Templates by kind, and each kind's constraints by name; never modified once published. */
    private record State(Map<String, CompiledTemplate> templates, Map<String, Map<String, Constraint>> constraints) {
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
            State s = state;
            Map<String, CompiledTemplate> templates = new TreeMap<>(s.templates());
            templates.put(template.kind(), compiled);
            Map<String, Map<String, Constraint>> constraints = new TreeMap<>(s.constraints());
            Map<String, Constraint> ofKind = constraints.get(template.kind());
            if (ofKind != null) {
                Map<String, Constraint> revalidated = new TreeMap<>();
                for (Constraint c : ofKind.values()) {
                    try {
                        revalidated.put(c.name(), Constraint.parse(c.object(), compiled));
                    } catch (InvalidConstraintException e) {
                        // no longer valid for the new template: not enforced any more
                    }
                }
                constraints.put(template.kind(), sorted(revalidated));
            }
            state = new State(sorted(templates), sorted(constraints));
        }
        return compiled;
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
            Map<String, Map<String, Constraint>> constraints = new TreeMap<>(s.constraints());
            constraints.remove(kind.get());
            state = new State(sorted(templates), sorted(constraints));
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
            Map<String, Map<String, Constraint>> constraints = new TreeMap<>(s.constraints());
            Map<String, Constraint> ofKind = new TreeMap<>(constraints.getOrDefault(kind, Map.of()));
            ofKind.put(parsed.name(), parsed);
            constraints.put(kind, sorted(ofKind));
            state = new State(s.templates(), sorted(constraints));
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
            Map<String, Constraint> ofKind = s.constraints().get(kind);
            if (ofKind == null || !ofKind.containsKey(name)) {
                return false;
            }
            Map<String, Constraint> remaining = new TreeMap<>(ofKind);
            remaining.remove(name);
            Map<String, Map<String, Constraint>> constraints = new TreeMap<>(s.constraints());
            constraints.put(kind, sorted(remaining));
            state = new State(s.templates(), sorted(constraints));
            return true;
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
        state.constraints().values().forEach(m -> all.addAll(m.values()));
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
        Inventory.Snapshot data = inventory.snapshot();
        // Matching falls back to the synced Namespace of request.namespace; namespaceObject in the Rego input is
        // only ever the Namespace the caller resolved, as in Gatekeeper.
        JsonNode namespace = review.namespace();
        if (namespace == null && !review.requestNamespace().isEmpty()) {
            namespace = inventory.namespace(review.requestNamespace());
        }
        byte[] reviewJson = null;
        List<Result> results = new ArrayList<>();
        for (Map.Entry<String, CompiledTemplate> entry : s.templates().entrySet()) {
            CompiledTemplate template = entry.getValue();
            if (enforcementPoint == EnforcementPoint.WEBHOOK && !template.template().appliesTo(review.operation())) {
                continue;
            }
            for (Constraint constraint : s.constraints().getOrDefault(entry.getKey(), Map.of()).values()) {
                List<String> actions = constraint.enforcement().actionsAt(enforcementPoint);
                if (actions.isEmpty()) {
                    continue;
                }
                try {
                    if (!Matcher.matchesReview(constraint.match(), review.object(), review.oldObject(), namespace,
                            review.source())) {
                        continue;
                    }
                } catch (MatchException e) {
                    results.add(result(constraint, actions, "unable to match constraints: error matching the requested "
                            + "object: " + Kube.name(review.subject()) + " :" + e.getMessage(), null));
                    continue;
                }
                if (reviewJson == null) {
                    reviewJson = RegoJson.write(review.input(review.namespace()), RegoJson.Numbers.FLOAT64);
                }
                results.addAll(evaluate(template.evaluator(data), constraint, actions, reviewJson));
            }
        }
        results.sort(GATEKEEPER_ORDER);
        return results;
    }

    private List<Result> evaluate(PolicyEvaluator evaluator, Constraint constraint, List<String> actions,
            byte[] reviewJson) throws ReviewException {
        JsonNode value;
        try {
            value = evaluator.evaluate(TemplateCompiler.ENTRYPOINT, input(reviewJson, constraint.parameters()));
        } catch (PolicyEvaluationException e) {
            // Gatekeeper turns evaluation errors into a violation carrying the constraint's action.
            return List.of(result(constraint, actions, e.getMessage(), null));
        }
        if (value == null || !value.isArray()) {
            return List.of();
        }
        List<Result> results = new ArrayList<>();
        for (JsonNode violation : value) {
            JsonNode msg = violation.get("msg");
            if (msg == null || !msg.isString()) {
                throw new ReviewException("constraint " + constraint.kind() + "/" + constraint.name()
                        + ": the violation's msg is not a string: " + msg);
            }
            results.add(result(constraint, actions, msg.asString(), violation.get("details")));
        }
        return results;
    }

    /** {@code {"review": <review>, "parameters": <parameters>}} without re-serialising the review per constraint. */
    private static byte[] input(byte[] reviewJson, JsonNode parameters) {
        byte[] params = RegoJson.write(parameters, RegoJson.Numbers.INT64_OR_FLOAT64);
        ByteArrayOutputStream out = new ByteArrayOutputStream(reviewJson.length + params.length + 32);
        out.writeBytes("{\"review\":".getBytes());
        out.writeBytes(reviewJson);
        out.writeBytes(",\"parameters\":".getBytes());
        out.writeBytes(params);
        out.write('}');
        return out.toByteArray();
    }

    private static Result result(Constraint constraint, List<String> actions, String msg, JsonNode details) {
        return new Result(constraint.kind(), constraint.name(), constraint.object(), constraint.enforcement().action(),
                actions, msg, details == null ? JsonNodeFactory.instance.objectNode() : details);
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
