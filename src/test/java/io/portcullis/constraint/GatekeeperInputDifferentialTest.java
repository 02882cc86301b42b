package io.portcullis.constraint;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.match.Matcher;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Every gatekeeper-library template on every object of its suite, and on variants of each object with other
 * numbers (integers of a million and more, fractions, quantities such as {@code 100m} or {@code 1Gi} as plain
 * numbers), through Portcullis' whole review path and through OPA's Go evaluator fed as Gatekeeper feeds it (the
 * review decoded by Go into float64s, modules named {@code template} and {@code libs["lib_0"]}). The messages,
 * evaluation errors included, must be the same. The variants are where number printing and runtime conflicts
 * (sprintf of a limit, a function producing two values) show.
 *
 * <p>Quantities in spellings the library's parsing does not know ({@code 1K}, {@code 1KB}, {@code 1 Gi}) make its
 * container templates call {@code replace(s, "", "")}, which OPA's wasm runtime never returned from; Portcullis
 * runs that builtin on the host, and the "unusual quantity spellings" variant checks that it answers as OPA's Go
 * evaluator does.
 */
class GatekeeperInputDifferentialTest {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Pattern QUANTITY = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(m|k|M|G|Ki|Mi|Gi)?");
    private static final Map<String, BigDecimal> SUFFIX = Map.of("m", new BigDecimal("0.001"), "k", BigDecimal.valueOf(1000),
            "M", BigDecimal.valueOf(1_000_000), "G", BigDecimal.valueOf(1_000_000_000), "Ki", BigDecimal.valueOf(1024),
            "Mi", BigDecimal.valueOf(1 << 20), "Gi", BigDecimal.valueOf(1 << 30));
    private static int compared;
    private static int withMessages;
    private static int errors;

    /** The variants of an object: its numbers changed, the rest untouched. */
    private static final Map<String, UnaryOperator<JsonNode>> VARIANTS = new LinkedHashMap<>();

    static {
        VARIANTS.put("as is", n -> n);
        VARIANTS.put("integers of a million and more", n -> n.isIntegralNumber() ? NODES.numberNode(n.longValue() * 1_000_003 + 7) : n);
        VARIANTS.put("fractions", n -> n.isIntegralNumber() ? NODES.numberNode(n.longValue() + 0.25) : n);
        VARIANTS.put("quantities as integers", n -> quantity(n, false));
        VARIANTS.put("quantities as floats", n -> quantity(n, true));
        VARIANTS.put("unusual quantity spellings", GatekeeperInputDifferentialTest::unusualQuantity);
    }

    /**
     * Variants of the whole object: each list of containers gets a second container of the first one's name with
     * every other setting changed, so that rules keyed by container name meet two answers (OPA's conflicts).
     */
    private static final Map<String, UnaryOperator<ObjectNode>> OBJECT_VARIANTS = Map.of(
            "a container name twice", GatekeeperInputDifferentialTest::twinContainers);

    @AfterAll
    static void enoughWasCompared() {
        System.out.printf("[gatekeeper input] %d reviews compared, %d with messages, %d batches with evaluation errors%n",
                compared, withMessages, errors);
        if (compared > 0) {
            assertThat(compared).as("reviews compared").isGreaterThan(600);
            assertThat(withMessages).as("reviews with messages").isGreaterThan(250);
        }
    }

    @TestFactory
    Stream<DynamicTest> portcullisAndGatekeepersOpaSayTheSame() throws Exception {
        Path library = GatekeeperLibraryConformanceTest.library();
        List<Path> suites;
        try (var files = Files.walk(library)) {
            suites = files.filter(f -> f.getFileName().toString().equals("suite.yaml")).sorted().toList();
        }
        List<DynamicTest> tests = new ArrayList<>();
        for (Path file : suites) {
            for (Suite suite : Suite.find(file)) {
                for (Suite.Test test : suite.tests()) {
                    if (!test.invalid() && !test.cases().isEmpty() && test.expansion().isEmpty()) {
                        tests.add(DynamicTest.dynamicTest(library.relativize(file.getParent()) + " " + test.name(),
                                () -> compare(file.getParent(), test)));
                    }
                }
            }
        }
        return tests.stream();
    }

    private static void compare(Path dir, Suite.Test test) throws Exception {
        ConstraintTemplate template = TemplateParser.parse(Manifests.readObjects(dir.resolve(test.template())).getFirst(), "");
        ObjectNode constraint = Manifests.readObjects(dir.resolve(test.constraint())).getFirst();
        // Matching is not what this compares: every object reaches the Rego.
        ((ObjectNode) constraint.withObjectProperty("spec")).remove("match");

        List<String> labels = new ArrayList<>();
        List<TreeSet<String>> ours = new ArrayList<>();
        List<ObjectNode> inputs = new ArrayList<>();
        List<JsonNode> data = new ArrayList<>();
        for (Suite.Case c : test.cases()) {
            ObjectNode object = Manifests.readObjects(dir.resolve(c.object())).getFirst();
            Map<String, UnaryOperator<JsonNode>> variants = new LinkedHashMap<>(VARIANTS);
            OBJECT_VARIANTS.forEach((name, v) -> variants.put(name, n -> n));
            for (Map.Entry<String, UnaryOperator<JsonNode>> variant : variants.entrySet()) {
                Validator validator = new Validator(GatekeeperLibraryConformanceTest.WITHOUT_CEL); // the Rego, against OPA's
                validator.addTemplate(template);
                Constraint loaded = validator.addConstraint(constraint);
                for (String inventory : c.inventory()) {
                    for (ObjectNode o : Manifests.readObjects(dir.resolve(inventory))) {
                        validator.addData(o);
                    }
                }
                ObjectNode changed = (ObjectNode) numbers(object.deepCopy(), variant.getValue());
                if (OBJECT_VARIANTS.containsKey(variant.getKey())) {
                    changed = OBJECT_VARIANTS.get(variant.getKey()).apply(changed);
                }
                Review review = review(changed);
                TreeSet<String> messages = new TreeSet<>();
                validator.review(review, EnforcementPoint.GATOR).forEach(r -> messages.add(r.msg()));
                ObjectNode input = NODES.objectNode();
                input.set("review", review.input(null));
                input.set("parameters", loaded.parameters());
                labels.add(c.name() + " (" + variant.getKey() + ")");
                ours.add(messages);
                inputs.add(input);
                data.add(validator.inventory().snapshot().data());
            }
        }
        List<TreeSet<String>> gatekeeper = goMessages(template, inputs, data);
        List<String> differences = new ArrayList<>();
        for (int i = 0; i < labels.size(); i++) {
            if (!ours.get(i).equals(gatekeeper.get(i))) {
                differences.add(labels.get(i) + "\n    Gatekeeper's OPA: " + gatekeeper.get(i) + "\n    Portcullis:       " + ours.get(i));
            }
            compared++;
            withMessages += ours.get(i).isEmpty() ? 0 : 1;
        }
        assertThat(differences).as("differences in %s", template.name()).isEmpty();
    }

    private static Review review(ObjectNode object) throws Exception {
        if ("AdmissionReview".equals(object.path("kind").asString())) {
            return Review.ofAdmissionRequest(object.get("request"), null);
        }
        return Review.ofObject(object, null, Matcher.Source.ORIGINAL);
    }

    /**
     * OPA's Go evaluator on each input, as Gatekeeper evaluates a review: one process for all the inputs that
     * share a data document, each input alone where the batch fails (an evaluation error is that input's message).
     */
    private static List<TreeSet<String>> goMessages(ConstraintTemplate template, List<ObjectNode> inputs, List<JsonNode> data) {
        String pkg = template.rego().rego().lines().map(String::strip).filter(l -> l.startsWith("package "))
                .findFirst().orElseThrow().substring(8).strip();
        String version = template.rego().version() == io.portcullis.engine.RegoVersion.V1 ? "v1" : "v0";
        List<GoRego.Module> modules = new ArrayList<>();
        modules.add(new GoRego.Module("template", template.rego().rego(), version));
        for (int i = 0; i < template.rego().libs().size(); i++) {
            modules.add(new GoRego.Module("libs[\"lib_" + i + "\"]", template.rego().libs().get(i), version));
        }
        String one = "{m | r := data." + pkg + ".violation[_] with input as c; m := r.msg}";
        List<TreeSet<String>> out = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            out.add(null);
        }
        // Batches of inputs with the same data document.
        int from = 0;
        while (from < inputs.size()) {
            int to = from;
            while (to < inputs.size() && data.get(to).equals(data.get(from))) {
                to++;
            }
            ArrayNode cases = NODES.arrayNode();
            inputs.subList(from, to).forEach(cases::add);
            JsonNode answer = GoRego.get().eval(modules, "x := [s | c := input.cases[_]; s := " + one + "]",
                    Json.MAPPER.writeValueAsString(NODES.objectNode().set("cases", cases)), data.get(from));
            if (answer.has("errors")) {
                errors++;
                for (int i = from; i < to; i++) {
                    ArrayNode single = NODES.arrayNode().add(inputs.get(i));
                    JsonNode alone = GoRego.get().eval(modules, "x := [s | c := input.cases[_]; s := " + one + "]",
                            Json.MAPPER.writeValueAsString(NODES.objectNode().set("cases", single)), data.get(i));
                    out.set(i, alone.has("errors") ? new TreeSet<>(List.of(GoRego.gatekeeperError(alone)))
                            : messages(alone.path("results").get(0).path("x").get(0)));
                }
            } else {
                JsonNode results = answer.path("results").get(0).path("x");
                for (int i = from; i < to; i++) {
                    out.set(i, messages(results.get(i - from)));
                }
            }
            from = to;
        }
        return out;
    }

    private static TreeSet<String> messages(JsonNode set) {
        TreeSet<String> out = new TreeSet<>();
        set.forEach(m -> out.add(m.asString()));
        return out;
    }

    /** The object with every number and quantity string replaced as the variant says; metadata is left alone. */
    private static JsonNode numbers(JsonNode node, UnaryOperator<JsonNode> variant) {
        if (node instanceof ObjectNode object) {
            for (Map.Entry<String, JsonNode> e : List.copyOf(object.properties())) {
                if (!e.getKey().equals("metadata") && !e.getKey().equals("apiVersion") && !e.getKey().equals("kind")) {
                    object.set(e.getKey(), numbers(e.getValue(), variant));
                }
            }
            return object;
        }
        if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                array.set(i, numbers(array.get(i), variant));
            }
            return array;
        }
        return node.isNumber() || node.isString() ? variant.apply(node) : node;
    }

    private static ObjectNode twinContainers(ObjectNode object) {
        twins(object);
        return object;
    }

    private static void twins(JsonNode node) {
        if (node instanceof ObjectNode object) {
            for (Map.Entry<String, JsonNode> e : List.copyOf(object.properties())) {
                if (e.getKey().endsWith("ontainers") && e.getValue() instanceof ArrayNode list && !list.isEmpty()
                        && list.get(0) instanceof ObjectNode first) {
                    ObjectNode twin = first.deepCopy();
                    changeAllBut(twin, "name");
                    list.add(twin);
                } else {
                    twins(e.getValue());
                }
            }
        } else if (node instanceof ArrayNode array) {
            array.forEach(GatekeeperInputDifferentialTest::twins);
        }
    }

    private static void changeAllBut(ObjectNode object, String kept) {
        for (Map.Entry<String, JsonNode> e : List.copyOf(object.properties())) {
            JsonNode v = e.getValue();
            if (e.getKey().equals(kept)) {
                continue;
            }
            if (v instanceof ObjectNode o) {
                changeAllBut(o, kept);
            } else if (v.isString()) {
                // Quantities stay quantities: OPA's wasm replace() never returns for an empty pattern, which the
                // library's templates pass for a quantity without a known suffix (see the class comment).
                String text = v.asString();
                object.put(e.getKey(), text.equals("RuntimeDefault") ? "Unconfined"
                        : !text.isEmpty() && Character.isDigit(text.charAt(0)) ? "9" + text : text + "-2");
            } else if (v.isBoolean()) {
                object.put(e.getKey(), !v.asBoolean());
            } else if (v.isIntegralNumber()) {
                object.put(e.getKey(), v.longValue() + 1);
            }
        }
    }

    /** A quantity string ({@code 100m}, {@code 2Gi}) spelt with a suffix Kubernetes does not have: K, KB, " Gi". */
    private static JsonNode unusualQuantity(JsonNode node) {
        if (!node.isString()) {
            return node;
        }
        java.util.regex.Matcher m = QUANTITY.matcher(node.asString());
        if (!m.matches()) {
            return node;
        }
        String number = m.group(1);
        String suffix = m.group(2) == null ? "" : m.group(2);
        return NODES.stringNode(switch (suffix) {
            case "" -> number + "K";
            case "m", "k" -> number + "KB";
            default -> number + " " + suffix;
        });
    }

    /** A quantity string ({@code 100m}, {@code 2Gi}, {@code 1.5}) as the number it stands for. */
    private static JsonNode quantity(JsonNode node, boolean asFloat) {
        if (!node.isString()) {
            return node;
        }
        var m = QUANTITY.matcher(node.asString());
        if (!m.matches()) {
            return node;
        }
        BigDecimal value = new BigDecimal(m.group(1));
        if (m.group(2) != null) {
            value = value.multiply(SUFFIX.get(m.group(2)));
        }
        if (asFloat) {
            return NODES.numberNode(value.doubleValue());
        }
        return value.stripTrailingZeros().scale() <= 0 ? NODES.numberNode(value.toBigIntegerExact()) : NODES.numberNode(value.doubleValue());
    }
}
