package io.portcullis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code portcullis test} honours ExpansionTemplates among its inputs, as {@code gator test} does. */
class TestCommandExpansionTest {
    private static final Path PROJECT = Path.of(System.getProperty("portcullis.project.dir", ".")).toAbsolutePath();

    @TempDir
    Path dir;

    @Test
    void aDeploymentViolatesThroughItsPod() throws Exception {
        Files.copy(PROJECT.resolve("constraint-templates/k8srequiredseccompprofile/template.yaml"),
                dir.resolve("template.yaml"));
        Files.copy(PROJECT.resolve("examples/constraints/k8srequiredseccompprofile.yaml"), dir.resolve("constraint.yaml"));
        Files.writeString(dir.resolve("inputs.yaml"), """
                apiVersion: expansion.gatekeeper.sh/v1beta1
                kind: ExpansionTemplate
                metadata: {name: expand-deployments}
                spec:
                  applyTo: [{groups: [apps], kinds: [Deployment], versions: [v1]}]
                  templateSource: spec.template
                  generatedGVK: {kind: Pod, group: "", version: v1}
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web, namespace: apps}
                spec:
                  template:
                    spec:
                      containers: [{name: app, image: nginx}]
                """);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new TestCommand());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        assertThat(cli.execute("-f", dir.toString())).as(err.toString()).isEqualTo(1);
        assertThat(out.toString().strip()).startsWith("apps/v1/Deployment apps/web: [\"pods-require-seccomp-profile\"] "
                + "Message: \"[Implied by expand-deployments] container \\\"app\\\" has no seccomp profile: ");
        assertThat(out.toString().strip().lines()).hasSize(1);
    }
}
