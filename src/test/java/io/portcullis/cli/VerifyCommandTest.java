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

class VerifyCommandTest {
    record Run(int exitCode, List<String> lines, String err) {
    }

    static Run verify(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new VerifyCommand());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Run(code, out.toString().lines().toList(), err.toString());
    }

    static String suites(String name) throws Exception {
        return Path.of(VerifyCommandTest.class.getResource("/constraint/suites/" + name).toURI()).toString();
    }

    @Test
    void allPassingExitsZero() throws Exception {
        Run run = verify(suites("passing"));
        assertThat(run.exitCode()).isZero();
        assertThat(run.lines()).filteredOn(l -> l.startsWith("--- PASS: ")).hasSize(6);
        assertThat(run.lines()).anySatisfy(l -> assertThat(l).startsWith("--- PASS: owner-label/unowned\t("));
        assertThat(run.lines().getLast()).isEqualTo("6 passed, 0 failed");
    }

    @Test
    void failuresAreListedWithTheirReasonAndExitOne() throws Exception {
        Run run = verify(suites("failing"));
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.lines()).containsSubsequence(
                "--- FAIL: wrong-expectations/expects-a-violation-that-is-not-there\t(" + suites("failing") + "/suite.yaml)",
                "        unexpected number of violations: got 0 violations but want at least 1: got messages []");
        assertThat(run.lines().getLast()).isEqualTo("1 passed, 5 failed");
    }

    @Test
    void severalPathsAddUp() throws Exception {
        Run run = verify(suites("passing"), suites("failing") + "/suite.yaml");
        assertThat(run.lines().getLast()).isEqualTo("7 passed, 5 failed");
        assertThat(run.exitCode()).isEqualTo(1);
    }

    @Test
    void runFilterAndVerboseSkips() throws Exception {
        Run run = verify("--run", "owner-label//^owned$", "-v", suites("passing"));
        assertThat(run.lines()).filteredOn(l -> l.startsWith("--- PASS")).containsExactly(
                "--- PASS: owner-label/owned\t(" + suites("passing") + "/suite.yaml)");
        assertThat(run.lines()).anySatisfy(l -> assertThat(l).startsWith("=== SKIP  owner-label/unowned"));
        assertThat(run.lines().getLast()).isEqualTo("1 passed, 0 failed");
    }

    @Test
    void infinityInACaseObjectFailsTheCaseNamingFileAndField(@TempDir Path dir) throws Exception {
        Path passing = Path.of(suites("passing"));
        for (String file : List.of("template.yaml", "constraint.yaml", "namespaces.yaml")) {
            Files.copy(passing.resolve(file), dir.resolve(file));
        }
        Files.writeString(dir.resolve("pod.yaml"), "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: x}\n"
                + "spec:\n  securityContext:\n    runAsUser: .nan\n");
        Files.writeString(dir.resolve("suite.yaml"), """
                kind: Suite
                apiVersion: test.gatekeeper.sh/v1alpha1
                tests:
                - name: owner-label
                  template: template.yaml
                  constraint: constraint.yaml
                  cases:
                  - name: nan
                    object: pod.yaml
                    assertions:
                    - violations: no
                """);
        Run run = verify(dir.toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.lines()).anySatisfy(l -> assertThat(l)
                .contains(dir.resolve("pod.yaml") + ": spec.securityContext.runAsUser: .nan is not a number JSON can hold"));
        assertThat(run.lines().getLast()).isEqualTo("0 passed, 1 failed");
    }

    /** A test's expansion file: a Deployment is also reviewed as its Pod, as gator verify reviews it. */
    @Test
    void expansionCasesCountTheViolationsOfWhatTheObjectExpandsInto() throws Exception {
        Run run = verify(suites("expansion"));
        assertThat(run.lines()).filteredOn(l -> l.startsWith("--- ")).containsExactly(
                "--- PASS: pods-of-deployments/allowed-deployment\t(" + suites("expansion") + "/suite.yaml)",
                "--- PASS: pods-of-deployments/disallowed-deployment\t(" + suites("expansion") + "/suite.yaml)",
                "--- PASS: pods-of-deployments/a-pod-is-reviewed-as-itself\t(" + suites("expansion") + "/suite.yaml)",
                "--- PASS: without-expansion/a-deployment-is-not-a-pod\t(" + suites("expansion") + "/suite.yaml)");
        assertThat(run.lines().getLast()).isEqualTo("4 passed, 0 failed");
        assertThat(run.exitCode()).isZero();
    }

    @Test
    void expansionFailuresShowTheImpliedMessagesOrWhyTheTemplatesDoNotLoad() throws Exception {
        String dir = suites("expansion-failing");
        Run run = verify(dir);
        assertThat(run.lines()).containsSubsequence(
                "--- FAIL: wrong-expectation/expects-no-violation\t(" + dir + "/suite.yaml)",
                "        unexpected number of violations: got 1 violations but want none: got messages "
                        + "[[Implied by expand-deployments] container \"app\" uses the disallowed tag \"latest\"]",
                "--- FAIL: not-an-expansion-template\t(" + dir + "/suite.yaml)",
                "        not an Expansion Template: \"" + dir + "/not-an-expansion.yaml\"");
        assertThat(run.lines().getLast()).isEqualTo("0 passed, 2 failed");
        assertThat(run.exitCode()).isEqualTo(1);
    }

    @Test
    void aMissingPathFails() {
        Run run = verify("/no/such/dir");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.lines().getLast()).isEqualTo("0 passed, 1 failed");
    }

    /** A CEL-only template (no Rego): gator runs it by default and refuses it with the CEL driver off. */
    @Test
    void celOnlyTemplatesRunUnlessTheCelDriverIsOff(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("template.yaml"), """
                apiVersion: templates.gatekeeper.sh/v1
                kind: ConstraintTemplate
                metadata: {name: k8sminreplicas}
                spec:
                  crd:
                    spec:
                      names: {kind: K8sMinReplicas}
                      validation:
                        openAPIV3Schema:
                          type: object
                          properties: {min: {type: integer}}
                  targets:
                  - target: admission.k8s.gatekeeper.sh
                    code:
                    - engine: K8sNativeValidation
                      source:
                        variables:
                        - name: replicas
                          expression: 'has(variables.anyObject.spec.replicas) ? variables.anyObject.spec.replicas : 1'
                        validations:
                        - expression: variables.replicas >= variables.params.min
                          messageExpression: '"replicas " + string(variables.replicas) + " < " + string(variables.params.min)'
                """);
        Files.writeString(dir.resolve("constraint.yaml"), """
                apiVersion: constraints.gatekeeper.sh/v1beta1
                kind: K8sMinReplicas
                metadata: {name: at-least-two}
                spec: {parameters: {min: 2}}
                """);
        Files.writeString(dir.resolve("one.yaml"), "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {replicas: 1}\n");
        Files.writeString(dir.resolve("three.yaml"), "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {replicas: 3}\n");
        Files.writeString(dir.resolve("suite.yaml"), """
                kind: Suite
                apiVersion: test.gatekeeper.sh/v1alpha1
                tests:
                - name: min-replicas
                  template: template.yaml
                  constraint: constraint.yaml
                  cases:
                  - name: one
                    object: one.yaml
                    assertions:
                    - violations: 1
                      message: replicas 1 < 2
                  - name: three
                    object: three.yaml
                    assertions:
                    - violations: no
                """);
        Run run = verify(dir.toString());
        assertThat(run.lines().getLast()).isEqualTo("2 passed, 0 failed");
        assertThat(run.exitCode()).isZero();

        Run withoutCel = verify("--enable-k8s-native-validation=false", dir.toString());
        assertThat(withoutCel.exitCode()).isEqualTo(1);
        assertThat(String.join("\n", withoutCel.lines()))
                .contains("no language driver is installed that handles this constraint template");
    }
}
