package io.portcullis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.portcullis.constraint.Manifests;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tools.jackson.databind.node.ObjectNode;

/** {@code portcullis expand} as {@code gator expand}: a Deployment with a template and a mutator in the inputs. */
class ExpandCommandTest {
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = new CommandLine(new ExpandCommand());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return cli.execute(args);
    }

    @Test
    void aDeploymentExpandsIntoItsMutatedPod() throws Exception {
        Files.writeString(dir.resolve("inputs.yaml"), """
                apiVersion: expansion.gatekeeper.sh/v1beta1
                kind: ExpansionTemplate
                metadata: {name: expand-deployments}
                spec:
                  applyTo: [{groups: [apps], kinds: [Deployment], versions: [v1]}]
                  templateSource: spec.template
                  generatedGVK: {kind: Pod, group: "", version: v1}
                ---
                apiVersion: mutations.gatekeeper.sh/v1
                kind: Assign
                metadata: {name: generated-runtime-default}
                spec:
                  applyTo: [{groups: [""], kinds: [Pod], versions: [v1]}]
                  match: {source: Generated}
                  location: spec.securityContext.seccompProfile.type
                  parameters: {assign: {value: RuntimeDefault}}
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web, namespace: apps}
                spec:
                  template:
                    metadata: {labels: {app: web}}
                    spec:
                      containers: [{name: app, image: nginx}]
                """);
        assertThat(run("--filename", dir.toString(), "--format", "json")).as(err.toString()).isZero();
        List<ObjectNode> pods = Manifests.readObjects(out.toString(), "output");
        assertThat(pods).hasSize(1);
        ObjectNode pod = pods.getFirst();
        assertThat(pod.path("apiVersion").asString()).isEqualTo("v1");
        assertThat(pod.path("kind").asString()).isEqualTo("Pod");
        assertThat(pod.at("/metadata/name").asString()).isEqualTo("web-pod");
        assertThat(pod.at("/metadata/namespace").asString()).isEqualTo("apps");
        assertThat(pod.at("/metadata/ownerReferences/0/kind").asString()).isEqualTo("Deployment");
        assertThat(pod.at("/metadata/ownerReferences/0/name").asString()).isEqualTo("web");
        assertThat(pod.at("/spec/securityContext/seccompProfile/type").asString()).isEqualTo("RuntimeDefault");
        assertThat(pod.at("/spec/containers/0/image").asString()).isEqualTo("nginx");
    }

    @Test
    void aTemplateGatekeeperWouldRefuseIsAnError() throws Exception {
        Files.writeString(dir.resolve("bad.yaml"), """
                apiVersion: expansion.gatekeeper.sh/v1beta1
                kind: ExpansionTemplate
                metadata: {name: no-source}
                spec:
                  applyTo: [{groups: [apps], kinds: [Deployment], versions: [v1]}]
                  generatedGVK: {kind: Pod, group: "", version: v1}
                """);
        assertThat(run("-n", dir.resolve("bad.yaml").toString())).isEqualTo(1);
        assertThat(err.toString()).contains("error expanding resources: ExpansionTemplate no-source has empty source field");
    }
}
