package io.portcullis.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Builtins on inputs that once made Portcullis answer differently from Gatekeeper, through the real engine (OPA's
 * compiler, wasm on Chicory, host builtins) and compared with OPA's own Go evaluator:
 * <ul>
 *   <li>replace with an empty old string, which OPA's wasm runtime loops on forever, so that a container limit of
 *       "1K" ran to the evaluation deadline where gator says it "could not be parsed";</li>
 *   <li>regex builtins over a long adversarial input, where a backtracking matcher gave up and the deny did not
 *       fire (fail-open), and RE2 answers at once.</li>
 * </ul>
 */
class BuiltinsNeverHangTest {
    static PolicyEngine engine;

    @BeforeAll
    static void start() {
        engine = new PolicyEngine(EngineConfig.defaults());
    }

    @AfterAll
    static void stop() {
        engine.close();
    }

    /** replace, strings.replace_n and regex.replace with empty patterns, operands coming from input as in policies. */
    @Test
    void emptyPatternsAnswerAsOpa() throws Exception {
        String rego = """
                package emptypatterns

                violation[{"fn": "replace", "out": out}] { out := replace(input.s, input.old, input.new) }
                violation[{"fn": "replace literal", "out": out}] { out := replace(input.s, "a", input.new) }
                violation[{"fn": "replace empty literal", "out": out}] { out := replace(input.s, "", input.new) }
                violation[{"fn": "strings.replace_n", "out": out}] {
                  out := strings.replace_n({input.old: input.new, "b": "y"}, input.s)
                }
                violation[{"fn": "regex.replace", "out": out}] { out := regex.replace(input.s, input.old, input.new) }
                violation[{"fn": "regex.split", "out": out}] { out := regex.split(input.old, input.s) }
                violation[{"fn": "regex.find_n", "out": out}] { out := regex.find_n(input.old, input.s, -1) }
                """;
        List<JsonNode> inputs = new ArrayList<>();
        for (String s : List.of("", "a", "abc", "1K", "aé日😀b", "ab\n")) {
            for (String old : List.of("", "a", "é", "日")) {
                for (String replacement : List.of("", "x", "é")) {
                    inputs.add(DifferentialTest.JSON.createObjectNode().put("s", s).put("old", old).put("new", replacement));
                }
            }
        }
        TestPolicies.Template t = new TestPolicies.Template(null, "emptypatterns", "emptypatterns",
                List.of(RegoModule.v0("emptypatterns.rego", rego)));
        List<TreeSet<String>> results = agreeWithOpa(t, inputs);
        assertThat(results).allSatisfy(r -> assertThat(r).hasSize(7));
    }

    /** A policy's own function named replace is still called: only the builtin's calls are rerouted. */
    @Test
    void ownFunctionsNamedReplaceAreKept() throws Exception {
        String rego = """
                package ownreplace

                replace(s, old, new) = out { out := concat("", ["mine:", s, old, new]) }

                violation[{"out": out}] { out := replace(input.s, input.old, "") }
                violation[{"out": out}] { out := strings.replace_n({input.old: "x"}, input.s) }
                """;
        TestPolicies.Template t = new TestPolicies.Template(null, "ownreplace", "ownreplace",
                List.of(RegoModule.v0("ownreplace.rego", rego)));
        JsonNode input = DifferentialTest.JSON.createObjectNode().put("s", "ab").put("old", "");
        assertThat(agreeWithOpa(t, List.of(input)).getFirst()).anySatisfy(v -> assertThat(v).contains("mine:ab"));
    }

    /**
     * The gatekeeper-library's quantity parsing on unusual spellings: "1K" has no suffix it knows, so it calls
     * replace("1K", "", ""). K8sContainerRequests and K8sContainerRatios parse quantities as K8sContainerLimits
     * does (which the shared corpus lacks).
     */
    @Test
    void unusualQuantitiesAreReportedAsGatekeeperDoes() throws Exception {
        List<String> memory = List.of("1K", "1KB", "1.5Gi", "1e3", "", "1Ki", "1.5", "Mi", "1 Gi", "1K\u00e9");
        List<String> cpu = List.of("1.0.0", "", "1e3m", "1", "100m", "m", "0.5");
        for (String dir : List.of("general/containerrequests", "general/containerresourceratios")) {
            TestPolicies.Template t = TestPolicies.template(dir);
            List<JsonNode> inputs = new ArrayList<>();
            for (int i = 0; i < Math.max(memory.size(), cpu.size()); i++) {
                inputs.add(pod(cpu.get(i % cpu.size()), memory.get(i % memory.size())));
            }
            List<TreeSet<String>> results = agreeWithOpa(t, inputs);
            assertThat(results.getFirst()).as(dir + " on memory 1K")
                    .anySatisfy(v -> assertThat(v).contains("memory", "<1K> could not be parsed"));
        }
    }

    /**
     * A ConfigMap whose value is 10,000 "a"s then "cab": Gatekeeper (RE2) denies it; java.util.regex once ran out
     * of its backtracking budget on these patterns, the builtin failed, the rule was undefined and the request was
     * allowed.
     */
    @Test
    void regexOverAdversarialInputStillDenies() throws Exception {
        String rego = """
                package adversarialregex

                violation[{"msg": msg}] {
                  value := input.review.object.data[key]
                  found := regex.find_n("(a*)*b", value, -1)
                  count(found) > 0
                  msg := sprintf("find_n: %v has %v matches, the first %v long", [key, count(found), count(found[0])])
                }

                violation[{"msg": msg}] {
                  value := input.review.object.data[key]
                  parts := regex.split("(a+)+b", value)
                  count(parts) > 1
                  msg := sprintf("split: %v splits into %v", [key, parts])
                }

                violation[{"msg": msg}] {
                  value := input.review.object.data[key]
                  replaced := regex.replace(value, "(a*)*b", "[$1]")
                  replaced != value
                  msg := sprintf("replace: %v becomes %v long", [key, count(replaced)])
                }
                """;
        ObjectNode input = DifferentialTest.JSON.createObjectNode();
        ObjectNode object = input.putObject("review").putObject("object");
        object.put("kind", "ConfigMap").putObject("data").put("payload", "a".repeat(10_000) + "cab");
        TestPolicies.Template t = new TestPolicies.Template(null, "adversarialregex", "adversarialregex",
                List.of(RegoModule.v0("adversarialregex.rego", rego)));
        TreeSet<String> violations = agreeWithOpa(t, List.of(input)).getFirst();
        assertThat(violations).hasSize(3);
    }

    /** Evaluates the template's violations on each input in Portcullis and in OPA; asserts they agree, returns them. */
    private static List<TreeSet<String>> agreeWithOpa(TestPolicies.Template t, List<JsonNode> inputs) throws Exception {
        PolicyEvaluator policy = engine.compile(t.modules(), List.of(t.violation())).withData(null);
        List<TreeSet<String>> expected = DifferentialTest.GoReference.violations(t, inputs);
        List<TreeSet<String>> actual = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            TreeSet<String> got = DifferentialTest.canonical(policy.evaluate(t.violation(), inputs.get(i)));
            assertThat(got).as("%s on %s", t.name(), abbreviated(inputs.get(i))).isEqualTo(expected.get(i));
            actual.add(got);
        }
        return actual;
    }

    private static String abbreviated(JsonNode input) {
        String text = input.toString();
        return text.length() < 400 ? text : text.substring(0, 400) + "...";
    }

    private static JsonNode pod(String cpu, String memory) {
        ObjectNode input = DifferentialTest.JSON.createObjectNode();
        ObjectNode review = input.putObject("review");
        review.putObject("kind").put("group", "").put("version", "v1").put("kind", "Pod");
        ObjectNode container = review.putObject("object").put("apiVersion", "v1").put("kind", "Pod")
                .putObject("spec").putArray("containers").addObject().put("name", "nginx").put("image", "nginx");
        ObjectNode resources = container.putObject("resources");
        resources.putObject("limits").put("cpu", cpu).put("memory", memory);
        resources.putObject("requests").put("cpu", cpu).put("memory", memory);
        input.putObject("parameters").put("ratio", "2").put("cpuRatio", "4");
        return input;
    }
}
