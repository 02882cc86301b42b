package io.portcullis.constraint;

import io.portcullis.cli.GatorTest;
import static io.portcullis.constraint.Engines.constraint;
import static io.portcullis.constraint.Engines.template;
import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.match.Matcher;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The numbers of a reviewed object read in Rego as in Gatekeeper, where the review reaches OPA through Go's
 * encoding/json, so every number is a float64 printed the Go way ({@code 1.0E9} reads {@code 1e+09}, and so does
 * the integer {@code 1000000000}). OPA's Go evaluator, whose input Go decodes the same way, is the reference; the
 * objects are read as the webhook reads JSON (Jackson) and as the CLI reads files (YAML 1.1 rules, JSON too).
 */
class RegoNumbersTest {
    /** Prints each value as sprintf's %v and json.marshal give it. */
    static final String PRINTER = """
            package k8snumbers

            violation[{"msg": msg}] {
              v := input.review.object.values[i]
              msg := sprintf("%d <%v> %v", [i, v, json.marshal(v)])
            }
            """;

    static final List<String> JSON_NUMBERS = List.of("1.0E9", "1e9", "1000000000", "1000000", "999999", "-1234567",
            "1.5", "2.50", "0.1", "1e-7", "0.000001", "1E+2", "100000000000000000000", "12345678901234567890",
            "9007199254740993", "123456789012", "1e21", "1.7976931348623157e308", "5e-324", "0", "-3");

    /** YAML scalars, and the JSON Go's YAML to JSON step (sigs.k8s.io/yaml on yaml.v2) makes of each. */
    static final Map<String, String> YAML_NUMBERS = Map.ofEntries(
            Map.entry("1e9", "1e9"), Map.entry("1.0", "1"), Map.entry("1.5", "1.5"), Map.entry("0x1F", "31"),
            Map.entry("0755", "493"), Map.entry("0o17", "15"), Map.entry("1_000_000", "1000000"),
            Map.entry(".5", "0.5"), Map.entry("+5", "5"), Map.entry("-.5e3", "-500"), Map.entry("1e15", "1e15"),
            Map.entry("100000000000000000000", "100000000000000000000"), Map.entry("9007199254740993", "9007199254740993"),
            Map.entry("12345678901234567890", "12345678901234567890"), Map.entry("1e400", "\"1e400\""),
            Map.entry("0x", "\"0x\""), Map.entry("0xFFFFFFFFFFFFFFFFF", "\"0xFFFFFFFFFFFFFFFFF\""),
            Map.entry("09", "9"), Map.entry("1e-400", "0"));

    @Test
    void jsonNumbersReadAsInGatekeeper() throws Exception {
        String values = "[" + String.join(", ", JSON_NUMBERS) + "]";
        TreeSet<String> expected = goMessages(values);
        assertThat(expected).hasSize(JSON_NUMBERS.size()).contains("0 <1e+09> 1e+09", "3 <1e+06> 1e+06");

        String object = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"n\"},\"values\":" + values + "}";
        assertThat(messages(Json.MAPPER.readTree(object))).as("as the webhook reads JSON").isEqualTo(expected);
        assertThat(messages(Manifests.readObjects(object, "numbers.json").getFirst())).as("as the CLI reads JSON")
                .isEqualTo(expected);
    }

    @Test
    void yamlNumbersReadAsInGatekeeper() throws Exception {
        List<String> yaml = new ArrayList<>(YAML_NUMBERS.keySet());
        String values = "[" + yaml.stream().map(YAML_NUMBERS::get).collect(Collectors.joining(", ")) + "]";
        TreeSet<String> expected = goMessages(values);

        String object = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: n\nvalues:\n"
                + yaml.stream().map(v -> "  - " + v + "\n").collect(Collectors.joining());
        assertThat(messages(Manifests.readObjects(object, "numbers.yaml").getFirst())).isEqualTo(expected);
    }

    /**
     * Issue 11's case: a memory request given as the JSON number 2.0E9, against the gatekeeper-library's
     * K8sContainerRequests (at most 1Gi), reads {@code <2e+09>} in gator.
     */
    @Test
    void theLibrarysContainerRequestsPrintsAFloatRequestAsGatorDoes() throws Exception {
        Path dir = GatekeeperLibraryConformanceTest.library().resolve("library/general/containerrequests");
        ObjectNode pod = Json.obj("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'p','namespace':'default'},"
                + "'spec':{'containers':[{'name':'app','image':'nginx','resources':{'requests':{'cpu':'100m'}}}]}}");
        String podJson = Json.MAPPER.writeValueAsString(pod).replace("\"cpu\":\"100m\"", "\"cpu\":\"100m\",\"memory\":2.0E9");
        List<ObjectNode> objects = new ArrayList<>(Manifests.readObjects(dir.resolve("template.yaml")));
        objects.addAll(Manifests.readObjects(dir.resolve("samples/container-must-have-requests/constraint.yaml")));
        objects.addAll(Manifests.readObjects(podJson, "pod.json"));
        List<String> messages = GatorTest.run(objects, Engines.COMPILER).stream().map(v -> v.result().msg()).toList();
        assertThat(messages).containsExactly(
                "container <app> memory request <2e+09> is higher than the maximum allowed of <1Gi>");
    }

    /** What OPA's Go evaluator prints for each value, given the values as JSON text. */
    private static TreeSet<String> goMessages(String valuesJson) {
        JsonNode answer = GoRego.get().eval(List.of(new GoRego.Module("template", PRINTER, "v0")),
                "x := data.k8snumbers.violation", "{\"review\":{\"object\":{\"values\":" + valuesJson + "}},\"parameters\":{}}");
        assertThat(answer.has("errors")).as("OPA: %s", answer).isFalse();
        TreeSet<String> out = new TreeSet<>();
        answer.path("results").get(0).path("x").forEach(v -> out.add(v.path("msg").asString()));
        return out;
    }

    private static TreeSet<String> messages(JsonNode object) throws Exception {
        Validator validator = new Validator(Engines.COMPILER);
        validator.addTemplate(template("K8sNumbers", PRINTER));
        validator.addConstraint(constraint("K8sNumbers", "numbers", "{}"));
        TreeSet<String> out = new TreeSet<>();
        validator.review(Review.ofObject(object, null, Matcher.Source.ORIGINAL), EnforcementPoint.AUDIT)
                .forEach(r -> out.add(r.msg()));
        return out;
    }
}
