package io.portcullis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

class TestCommandTest {
    record Run(int exitCode, String out, String err) {
        List<String> lines() {
            return out.lines().toList();
        }
    }

    static Run test(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new TestCommand());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    static String gator(String name) throws Exception {
        return Path.of(TestCommandTest.class.getResource("/constraint/gator/" + name).toURI()).toString();
    }

    @Test
    void aDenyViolationExitsOneAndEveryViolationIsPrinted() throws Exception {
        Run run = test("-f", gator(""));
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.lines()).containsExactly(
                "v1/Pod policed/unowned: [\"deny-owner\"] Message: \"Pod unowned has no owner label (operation \\\"\\\")\"",
                "v1/Pod policed/owned: [\"warn-team\"] Message: \"Pod owned has no team label (operation \\\"\\\")\"",
                "v1/Pod policed/unowned: [\"warn-team\"] Message: \"Pod unowned has no team label (operation \\\"\\\")\"");
    }

    @Test
    void namesAndMessagesAreQuotedAsGoQuotes() {
        assertThat(TestCommand.goQuote("a \"b\"\n\tc\\ é \u0001")).isEqualTo("\"a \\\"b\\\"\\n\\tc\\\\ é \\x01\"");
    }

    @Test
    void warningsAloneExitZero() throws Exception {
        Run run = test("-f", gator("template.yaml"), "-f", gator("warn-team.yaml"), "-f", gator("objects.yaml"));
        assertThat(run.exitCode()).isZero();
        assertThat(run.lines()).hasSize(2);
    }

    @Test
    void denyOnly() throws Exception {
        Run run = test("-f", gator(""), "--deny-only");
        assertThat(run.lines()).singleElement().asString().contains("deny-owner");
        assertThat(run.exitCode()).isEqualTo(1);
    }

    @Test
    void jsonOutput() throws Exception {
        Run run = test("-f", gator(""), "-o", "json");
        JsonNode results = JsonMapper.builder().build().readTree(run.out());
        assertThat(results.size()).isEqualTo(3);
        JsonNode first = results.get(0);
        assertThat(first.get("msg").asString()).startsWith("Pod unowned has no owner label");
        assertThat(first.get("enforcementAction").asString()).isEqualTo("deny");
        assertThat(first.at("/metadata/details/label").asString()).isEqualTo("owner");
        assertThat(first.at("/constraint/metadata/name").asString()).isEqualTo("deny-owner");
        assertThat(first.at("/violatingObject/metadata/name").asString()).isEqualTo("unowned");
        assertThat(first.get("target").asString()).isEqualTo("admission.k8s.gatekeeper.sh");
    }

    @Test
    void yamlOutput() throws Exception {
        Run run = test("-f", gator(""), "-o", "yaml");
        JsonNode results = YAMLMapper.builder().build().readTree(run.out());
        assertThat(results.size()).isEqualTo(3);
        assertThat(results.get(2).at("/constraint/spec/enforcementAction").asString()).isEqualTo("warn");
    }

    @Test
    void infinityInAnObjectIsRefusedNamingFileAndField(@TempDir Path dir) throws Exception {
        Path pod = dir.resolve("pod.yaml");
        Files.writeString(pod, "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  securityContext:\n    runAsUser: .inf\n");
        Run run = test("-f", gator(""), "-f", pod.toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).contains(pod + ": spec.securityContext.runAsUser: .inf is not a number JSON can hold");
    }

    @Test
    void badInputIsAnErrorExitOne() throws Exception {
        Run missing = test("-f", "/no/such/file.yaml");
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).contains("/no/such/file.yaml");

        Run orphan = test("-f", gator("constraints.yaml"), "-f", gator("objects.yaml"));
        assertThat(orphan.exitCode()).isEqualTo(1);
        assertThat(orphan.err()).contains("missing ConstraintTemplate: template \"k8srequiredowner\" not found");

        Run format = test("-f", gator(""), "-o", "xml");
        assertThat(format.exitCode()).isEqualTo(1);
    }

    /** gator test runs a template's CEL by default; with the CEL driver off a CEL-only template is refused. */
    @Test
    void celOnlyTemplatesRunUnlessTheCelDriverIsOff(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("all.yaml"), """
                apiVersion: templates.gatekeeper.sh/v1
                kind: ConstraintTemplate
                metadata: {name: k8snolatest}
                spec:
                  crd:
                    spec:
                      names: {kind: K8sNoLatest}
                  targets:
                  - target: admission.k8s.gatekeeper.sh
                    code:
                    - engine: K8sNativeValidation
                      source:
                        validations:
                        - expression: '!variables.anyObject.spec.containers.exists(c, c.image.endsWith(":latest"))'
                          message: latest images are not allowed
                ---
                apiVersion: constraints.gatekeeper.sh/v1beta1
                kind: K8sNoLatest
                metadata: {name: no-latest}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: p, namespace: default}
                spec: {containers: [{name: app, image: "nginx:latest"}]}
                """);
        Run run = test("-f", dir.toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).contains("[\"no-latest\"] Message: \"latest images are not allowed\"");

        Run withoutCel = test("--enable-k8s-native-validation=false", "-f", dir.toString());
        assertThat(withoutCel.out() + withoutCel.err())
                .contains("no language driver is installed that handles this constraint template");
        assertThat(withoutCel.exitCode()).isNotZero();
    }
}
