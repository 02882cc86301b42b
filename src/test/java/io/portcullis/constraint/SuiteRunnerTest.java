package io.portcullis.constraint;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SuiteRunnerTest {
    static Path resource(String name) throws URISyntaxException {
        return Path.of(SuiteRunnerTest.class.getResource("/constraint/suites/" + name).toURI());
    }

    static Map<String, SuiteRunner.Outcome> run(String dir, SuiteRunner.Filter filter) throws Exception {
        List<Suite> suites = Suite.find(resource(dir));
        assertThat(suites).hasSize(1);
        return new SuiteRunner(Engines.COMPILER).run(suites.getFirst(), filter).stream()
                .collect(Collectors.toMap(SuiteRunner.Outcome::label, Function.identity()));
    }

    @Test
    void passingSuite() throws Exception {
        Map<String, SuiteRunner.Outcome> outcomes = run("passing", SuiteRunner.Filter.ALL);
        assertThat(outcomes.values()).filteredOn(SuiteRunner.Outcome::failed).isEmpty();
        assertThat(outcomes.keySet()).containsExactlyInAnyOrder(
                "owner-label/owned", "owner-label/unowned", "owner-label/outside-the-selected-namespaces",
                "owner-label/namespace-unknown-is-an-autorejection", "owner-label/delete-reviews-the-old-object",
                "invalid-parameters", "skipped");
        assertThat(outcomes.get("invalid-parameters").passed()).isTrue();
        assertThat(outcomes.get("skipped").skipped()).isTrue();
    }

    @Test
    void failuresSayWhy() throws Exception {
        Map<String, SuiteRunner.Outcome> outcomes = run("failing", SuiteRunner.Filter.ALL);
        assertThat(outcomes.get("wrong-expectations/expects-a-violation-that-is-not-there").error())
                .isEqualTo("unexpected number of violations: got 0 violations but want at least 1: got messages []");
        assertThat(outcomes.get("wrong-expectations/right").passed()).isTrue();
        assertThat(outcomes.get("wrong-expectations/no-assertions").error())
                .isEqualTo("invalid test case: assertions must be non-empty");
        assertThat(outcomes.get("wrong-expectations/bad-count").error())
                .isEqualTo("invalid YAML: assertion.violation, if set, must be a nonnegative integer, \"yes\", or \"no\"");
        assertThat(outcomes.get("missing-template").error()).contains("nowhere.yaml");
        assertThat(outcomes.get("valid-constraint-marked-invalid").error())
                .isEqualTo("constraint is valid: got no error but want a schema validation failure");
    }

    /** Expansion is the caller's to supply (cli's VerifyExpansion); without it a test naming one fails. */
    @Test
    void aRunnerWithoutExpansionFailsTestsThatNameAnExpansionFile() throws Exception {
        Map<String, SuiteRunner.Outcome> outcomes = run("expansion", SuiteRunner.Filter.ALL);
        assertThat(outcomes.get("pods-of-deployments").error()).isEqualTo("expansion templates are not supported");
        assertThat(outcomes.get("without-expansion/a-deployment-is-not-a-pod").passed()).isTrue();
    }

    @Test
    void runFilterSelectsTestsAndCases() throws Exception {
        Map<String, SuiteRunner.Outcome> byCase = run("passing", SuiteRunner.Filter.parse("unowned"));
        assertThat(byCase.get("owner-label/unowned").passed()).isTrue();
        assertThat(byCase.get("owner-label/owned").skipped()).isTrue();
        assertThat(byCase.get("invalid-parameters").skipped()).isTrue();

        Map<String, SuiteRunner.Outcome> split = run("passing", SuiteRunner.Filter.parse("owner//^owned$"));
        assertThat(split.get("owner-label/owned").passed()).isTrue();
        assertThat(split.get("owner-label/unowned").skipped()).isTrue();

        Map<String, SuiteRunner.Outcome> byTest = run("passing", SuiteRunner.Filter.parse("invalid"));
        assertThat(byTest.get("invalid-parameters").passed()).isTrue();
        assertThat(byTest.get("owner-label").skipped()).as("no case of the test matches either").isTrue();
    }

    @Test
    void assertions() {
        List<String> msgs = List.of("container a is privileged", "initContainer b is privileged");
        assertThat(new Suite.Assertion(null, null, null).check(msgs)).isNull();
        assertThat(new Suite.Assertion("no", null, null).check(msgs)).isEqualTo(
                "unexpected number of violations: got 2 violations but want none: got messages [container a is privileged initContainer b is privileged]");
        assertThat(new Suite.Assertion(null, 1L, "^container").check(msgs)).isNull();
        assertThat(new Suite.Assertion(null, 2L, "ontainer").check(msgs)).as("unanchored").isNull();
        assertThat(new Suite.Assertion(null, 1L, "CONTAINER").check(msgs)).as("case-sensitive").startsWith(
                "unexpected number of violations: got 0 violations containing \"CONTAINER\" but want exactly 1");
        assertThat(new Suite.Assertion("yes", null, "[").check(msgs)).startsWith("invalid regex");
        assertThat(new Suite.Assertion(null, -1L, null).check(msgs)).startsWith("invalid YAML");
        assertThat(new Suite.Assertion("1", null, null).check(msgs)).as("a quoted number is no count").startsWith("invalid YAML");
    }

    @Test
    void yamlBooleansMeanYesAndNo() throws ManifestException {
        Suite suite = Suite.parse(Manifests.read("""
                kind: Suite
                apiVersion: test.gatekeeper.sh/v1alpha1
                tests:
                - name: t
                  cases:
                  - name: c
                    assertions:
                    - violations: yes
                    - violations: no
                    - violations: true
                    - violations: "no"
                    - violations: 3
                    - message: x
                """, "s").getFirst(), Path.of("suite.yaml"));
        assertThat(suite.tests().getFirst().cases().getFirst().assertions()).containsExactly(
                new Suite.Assertion("yes", null, null), new Suite.Assertion("no", null, null),
                new Suite.Assertion("yes", null, null), new Suite.Assertion("no", null, null),
                new Suite.Assertion(null, 3L, null), new Suite.Assertion(null, null, "x"));
    }
}
