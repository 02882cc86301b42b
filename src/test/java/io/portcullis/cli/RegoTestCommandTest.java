package io.portcullis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code portcullis rego-test}: OPA's test runner (through our compiler program) over .rego files. */
class RegoTestCommandTest {
    private static final Path PROJECT = Path.of(System.getProperty("portcullis.project.dir", ".")).toAbsolutePath().normalize();

    record Run(int exitCode, String out, String err) {
    }

    static Run regoTest(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new RegoTestCommand());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void theShippedPoliciesPassTheirUnitTests() {
        Run run = regoTest(PROJECT.resolve("policies").toString());
        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        // One summary line as opa test prints it: PASS: n/n, nothing failed, and every policy contributed tests.
        assertThat(run.out()).containsPattern("(?m)^PASS: (\\d+)/\\1$").doesNotContain("FAIL");
        Run verbose = regoTest("-v", PROJECT.resolve("policies").toString());
        for (String policy : new String[] {"k8sallowedapparmorprofiles", "k8sallowedselinuxoptions",
                "k8sknownsecurityprofiles", "k8srequiredseccompprofile"}) {
            assertThat(verbose.out()).containsPattern("data\\." + policy + "\\.test_\\w+: PASS");
        }
    }

    @Test
    void aFailingTestIsReportedAsOpaTestDoesAndExitsTwo(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("src.rego"), "package p\n\nallow {\n  input.x == 1\n}\n");
        Files.writeString(dir.resolve("src_test.rego"), """
                package p

                test_one_allowed {
                  allow with input as {"x": 1}
                }

                test_two_allowed {
                  allow with input as {"x": 2}
                }
                """);
        Run run = regoTest(dir.toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.out())
                .contains(dir.resolve("src_test.rego") + ":7:\ndata.p.test_two_allowed: FAIL (")
                .doesNotContain("test_one_allowed")
                .contains("PASS: 1/2\nFAIL: 1/2\n");

        Run selected = regoTest("--run", "one", "-v", dir.toString());
        assertThat(selected.exitCode()).isZero();
        assertThat(selected.out()).contains("data.p.test_one_allowed: PASS").contains("PASS: 1/1");
    }

    @Test
    void aModuleThatDoesNotCompileIsAnErrorWithItsLocation(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("src.rego"), "package p\n\nallow {\n  input.x ==\n}\n");
        Run run = regoTest(dir.toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).startsWith(dir.resolve("src.rego") + ":").contains("rego_parse_error");
    }

    @Test
    void noTestsOrNoFilesIsAnError(@TempDir Path dir) throws Exception {
        Run empty = regoTest(dir.toString());
        assertThat(empty.exitCode()).isEqualTo(1);
        assertThat(empty.err()).contains("no .rego files under");

        Files.writeString(dir.resolve("src.rego"), "package p\n\nallow {\n  input.x == 1\n}\n");
        Run noTests = regoTest(dir.toString());
        assertThat(noTests.exitCode()).isEqualTo(1);
        assertThat(noTests.err()).contains("no tests found under");

        Run missing = regoTest(dir.resolve("nope").toString());
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).contains("nope: no such file or directory");
    }
}
