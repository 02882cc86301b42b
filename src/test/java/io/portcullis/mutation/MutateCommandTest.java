package io.portcullis.mutation;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.cli.MutateCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;

/** {@code portcullis mutate}, run through picocli as the main class will run it. */
class MutateCommandTest {
    @TempDir
    Path dir;
    private Path mutations;
    private Path pod;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void files() throws Exception {
        mutations = Files.createDirectory(dir.resolve("mutations"));
        Files.writeString(mutations.resolve("seccomp.yaml"), """
                apiVersion: mutations.gatekeeper.sh/v1
                kind: Assign
                metadata:
                  name: k8spspseccomp
                spec:
                  applyTo:
                  - groups: [""]
                    kinds: ["Pod"]
                    versions: ["v1"]
                  location: spec.securityContext.seccompProfile
                  parameters:
                    pathTests:
                    - subPath: spec.securityContext.seccompProfile
                      condition: MustNotExist
                    assign:
                      value:
                        type: RuntimeDefault
                """);
        Files.writeString(mutations.resolve("spo.yaml"), """
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: apps
                  labels:
                    spo.x-k8s.io/enable-binding: "true"
                ---
                apiVersion: security-profiles-operator.x-k8s.io/v1
                kind: SelinuxProfile
                metadata:
                  name: nginx-secure
                spec: {}
                ---
                apiVersion: security-profiles-operator.x-k8s.io/v1
                kind: ProfileBinding
                metadata:
                  name: nginx
                  namespace: apps
                spec:
                  profileRef: {kind: SelinuxProfile, name: nginx-secure}
                  image: nginx
                """);
        pod = dir.resolve("pod.yaml");
        Files.writeString(pod, """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: web
                  namespace: apps
                spec:
                  containers:
                  - name: nginx
                    image: nginx
                """);
    }

    private int run(String... args) {
        CommandLine cli = new CommandLine(new MutateCommand());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return cli.execute(args);
    }

    @Test
    void printsTheMutatedObjectAsYaml() {
        int code = run("-f", pod.toString(), "--mutations", mutations.toString(), "--unready-profiles", "bind");
        assertThat(code).as(err.toString()).isZero();
        JsonNode object = YamlDocuments.read(out.toString(), "out").getFirst();
        assertThat(object.at("/spec/securityContext/seccompProfile/type").asString()).isEqualTo("RuntimeDefault");
        assertThat(object.at("/spec/containers/0/securityContext/seLinuxOptions/type").asString()).isEqualTo("nginx-secure.process");
        assertThat(object.at("/metadata/namespace").asString()).isEqualTo("apps");
    }

    @Test
    void printsThePatch() {
        int code = run("-f", pod.toString(), "--mutations", mutations.toString(), "-o", "patch", "--unready-profiles", "skip");
        assertThat(code).as(err.toString()).isZero();
        assertThat(YamlDocuments.read(out.toString(), "out").getFirst()).isEqualTo(YamlDocuments.read("""
                [{"op": "add", "path": "/spec/securityContext", "value": {"seccompProfile": {"type": "RuntimeDefault"}}}]
                """, "expected").getFirst());
    }

    @Test
    void printsJson() {
        int code = run("-f", pod.toString(), "--mutations", mutations.toString(), "-o", "json", "--unready-profiles", "skip");
        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString()).startsWith("{").contains("\"RuntimeDefault\"");
    }

    @Test
    void aProfileWithoutStatusRejectsThePodAsSpoWould() {
        int code = run("-f", pod.toString(), "--mutations", mutations.toString());
        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("Pod web would be rejected").contains("SelinuxProfile nginx-secure");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void aPodOfSeveralMebibytesIsRead() throws Exception {
        Path big = dir.resolve("big.json");
        Files.writeString(big, "{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": \"big\", \"namespace\": \"apps\","
                + " \"annotations\": {\"blob\": \"" + "z".repeat(5 * 1024 * 1024) + "\"}},"
                + " \"spec\": {\"containers\": [{\"name\": \"c\", \"image\": \"redis\"}]}}");
        int code = run("-f", big.toString(), "--mutations", mutations.toString(), "-o", "patch");
        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString().trim()).isEqualTo(
                "[{\"op\":\"add\",\"path\":\"/spec/securityContext\",\"value\":{\"seccompProfile\":{\"type\":\"RuntimeDefault\"}}}]");
    }

    @Test
    void badInputIsExitCodeTwoWithTheReason() throws Exception {
        assertThat(run("-f", dir.resolve("missing.yaml").toString(), "--mutations", mutations.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("missing.yaml");
        Files.writeString(mutations.resolve("broken.yaml"), "apiVersion: mutations.gatekeeper.sh/v1\nkind: Assign\nmetadata: {name: x}\nspec: {location: 'spec.'}\n");
        assertThat(run("-f", pod.toString(), "--mutations", mutations.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("trailing separators");
    }
}
