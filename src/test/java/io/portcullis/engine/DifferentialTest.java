package io.portcullis.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Every template of the gatekeeper-library corpus on every object of its suite, evaluated three ways: Chicory's
 * compiled bytecode, Chicory's interpreter, and OPA's own Go evaluator. Any difference is a bug in a compiler,
 * the JIT, our glue or a host builtin, which no single-mode test would catch.
 */
class DifferentialTest {
    static final ObjectMapper JSON = JsonMapper.builder().build();
    static PolicyEngine compiled;
    static PolicyEngine interpreted;
    /** Cases where OPA found violations: a corpus where nothing ever fires would prove nothing. */
    static final java.util.concurrent.atomic.AtomicInteger casesWithViolations = new java.util.concurrent.atomic.AtomicInteger();

    record Case(String name, JsonNode input) {}

    @BeforeAll
    static void start() {
        compiled = new PolicyEngine(EngineConfig.defaults());
        interpreted = new PolicyEngine(EngineConfig.defaults().withExecutionMode(ExecutionMode.INTERPRETED));
    }

    @AfterAll
    static void stop() {
        assertThat(casesWithViolations.get()).as("cases with violations across the corpus").isGreaterThan(80);
        compiled.close();
        interpreted.close();
    }

    @TestFactory
    Stream<DynamicTest> compiledInterpretedAndOpaAgree() {
        return TestPolicies.allTemplates().stream().map(t -> DynamicTest.dynamicTest(t.name(), () -> {
            List<Case> cases = cases(t.dir());
            assertThat(cases).as("cases of " + t.name()).isNotEmpty();
            PolicyEvaluator fast = compiled.compile(t.modules(), List.of(t.violation())).withData(null);
            PolicyEvaluator slow = interpreted.compile(t.modules(), List.of(t.violation())).withData(null);
            List<TreeSet<String>> reference = GoReference.violations(t, cases.stream().map(Case::input).toList());
            for (int i = 0; i < cases.size(); i++) {
                Case c = cases.get(i);
                TreeSet<String> a = canonical(fast.evaluate(t.violation(), c.input()));
                TreeSet<String> b = canonical(slow.evaluate(t.violation(), c.input()));
                assertThat(a).as("compiled vs interpreted, " + c.name()).isEqualTo(b);
                assertThat(a).as("compiled vs OPA, " + c.name()).isEqualTo(reference.get(i));
                if (!a.isEmpty()) {
                    casesWithViolations.incrementAndGet();
                }
            }
        }));
    }

    /** A set of results as sorted canonical JSON strings; sets have no order. */
    static TreeSet<String> canonical(JsonNode results) {
        TreeSet<String> out = new TreeSet<>();
        if (results != null) {
            results.forEach(r -> out.add(Canonical.json(r)));
        }
        return out;
    }

    /** The objects and parameters of every case in the suite next to the template, as Gatekeeper inputs. */
    static List<Case> cases(Path dir) throws IOException {
        Path suite = dir.resolve("suite.yaml");
        List<Case> out = new ArrayList<>();
        if (!Files.exists(suite)) {
            return out;
        }
        for (JsonNode test : TestPolicies.YAML.readTree(suite.toFile()).path("tests")) {
            JsonNode parameters = TestPolicies.YAML.readTree(dir.resolve(test.path("constraint").asString()).toFile())
                    .path("spec").path("parameters");
            for (JsonNode c : test.path("cases")) {
                JsonNode object = TestPolicies.YAML.readTree(dir.resolve(c.path("object").asString()).toFile());
                ObjectNode input = JSON.createObjectNode();
                ObjectNode review = input.putObject("review");
                if ("AdmissionReview".equals(object.path("kind").asString())) {
                    review.setAll((ObjectNode) object.path("request"));
                } else {
                    review.set("object", object);
                    review.put("operation", "CREATE");
                    review.put("name", object.path("metadata").path("name").asString(""));
                    review.put("namespace", object.path("metadata").path("namespace").asString(""));
                    String apiVersion = object.path("apiVersion").asString("");
                    int slash = apiVersion.indexOf('/');
                    review.putObject("kind")
                            .put("group", slash < 0 ? "" : apiVersion.substring(0, slash))
                            .put("version", slash < 0 ? apiVersion : apiVersion.substring(slash + 1))
                            .put("kind", object.path("kind").asString(""));
                }
                input.set("parameters", parameters.isMissingNode() ? JSON.createObjectNode() : parameters);
                out.add(new Case(test.path("name").asString() + "/" + c.path("name").asString(), input));
            }
        }
        return out;
    }

    /** OPA's Go evaluator, through the oracle mode of our compiler program; one process per template. */
    static final class GoReference {
        static List<TreeSet<String>> violations(TestPolicies.Template t, List<JsonNode> inputs) throws Exception {
            StringBuilder query = new StringBuilder();
            for (int i = 0; i < inputs.size(); i++) {
                if (i > 0) {
                    query.append("; ");
                }
                query.append("r").append(i).append(" := [v | v := data.").append(t.pkg()).append(".violation[_]] with input as ")
                        .append(JSON.writeValueAsString(inputs.get(i)));
            }
            ObjectNode request = JSON.createObjectNode().put("query", query.toString());
            var mods = request.putArray("modules");
            t.modules().forEach(m -> mods.addObject().put("name", m.name()).put("source", m.source()).put("regoVersion", "v0"));
            Process p = new ProcessBuilder(new NativeOpaProgram(null).executable().toString(), "eval").start();
            try (var in = p.getOutputStream()) {
                in.write(JSON.writeValueAsBytes(request));
            }
            JsonNode answer = JSON.readTree(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            p.waitFor();
            assertThat(answer.path("errors").isMissingNode()).as("OPA eval errors: " + answer.path("errors")).isTrue();
            JsonNode bindings = answer.path("results").get(0);
            List<TreeSet<String>> out = new ArrayList<>();
            for (int i = 0; i < inputs.size(); i++) {
                out.add(canonical(bindings.path("r" + i)));
            }
            return out;
        }
    }
}
