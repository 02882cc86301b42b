package io.portcullis.mutation;

import io.portcullis.mutation.error.MutationException;
import io.portcullis.json.JsonFields;
import static io.portcullis.mutation.TestObjects.assertPatchAndIdempotence;
import static io.portcullis.mutation.TestObjects.json;
import static io.portcullis.mutation.TestObjects.namespace;
import static io.portcullis.mutation.TestObjects.yaml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.zjsonpatch.JsonPatch;
import io.portcullis.mutation.gatekeeper.MutatorId;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Gatekeeper mutators and SPO bindings together, through the loader and the one entry point. */
class AdmissionMutatorTest {
    private static final JsonNode NS = namespace("apps", "spo.x-k8s.io/enable-binding", "true");

    private static final String CONFIG = """
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
            ---
            apiVersion: mutations.gatekeeper.sh/v1alpha1
            kind: AssignImage
            metadata:
              name: mirror
            spec:
              applyTo:
              - groups: [""]
                kinds: ["Pod"]
                versions: ["v1"]
              location: "spec.containers[name:*].image"
              parameters:
                assignDomain: registry.example.com
            ---
            apiVersion: security-profiles-operator.x-k8s.io/v1
            kind: SeccompProfile
            metadata:
              name: nginx
            spec:
              defaultAction: SCMP_ACT_ERRNO
            status:
              status: Installed
              localhostProfile: operator/nginx.json
            ---
            apiVersion: security-profiles-operator.x-k8s.io/v1
            kind: ProfileBinding
            metadata:
              name: nginx
              namespace: apps
            spec:
              profileRef:
                kind: SeccompProfile
                name: nginx
              image: registry.example.com/nginx:1.25
            """;

    private static final String POD = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: web
            spec:
              containers:
              - name: nginx
                image: nginx:1.25
            """;

    @Test
    void mutatorsThenBindingsInOneCombinedPatch(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("all.yaml"), CONFIG);
        MutationConfig config = MutationConfigLoader.load(dir);
        AdmissionMutator mutator = new AdmissionMutator();
        MutationRequest request = new MutationRequest("CREATE", "apps", NS, yaml(POD));
        MutationResult result = mutator.mutate(request, config);

        // AssignImage rewrote the image, the binding matched the rewritten image, the Assign set the pod default.
        assertThat(result.object()).isEqualTo(yaml("""
                apiVersion: v1
                kind: Pod
                metadata:
                  name: web
                spec:
                  containers:
                  - name: nginx
                    image: registry.example.com/nginx:1.25
                    securityContext:
                      seccompProfile:
                        type: Localhost
                        localhostProfile: operator/nginx.json
                  securityContext:
                    seccompProfile:
                      type: RuntimeDefault
                """));
        assertThat(result.appliedMutators()).containsExactly(new MutatorId("Assign", "k8spspseccomp"), new MutatorId("AssignImage", "mirror"));
        assertThat(result.boundProfiles()).hasSize(1);
        assertThat(result.patch()).hasSize(3);
        assertPatchAndIdempotence(mutator, request, config, result);
    }

    @Test
    void theNamespaceIsOnlyUsedForMatchingAndDeleteIsNeverMutated(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("all.yaml"), CONFIG);
        MutationConfig config = MutationConfigLoader.load(dir);
        MutationResult result = new AdmissionMutator().mutate(new MutationRequest("CREATE", "apps", NS, yaml(POD)), config);
        assertThat(result.object().path("metadata").has("namespace")).isFalse();
        for (JsonNode op : result.patch()) {
            assertThat(op.path("path").asString()).doesNotStartWith("/metadata");
        }
        MutationResult delete = new AdmissionMutator().mutate(new MutationRequest("DELETE", "apps", NS, yaml(POD)), config);
        assertThat(delete.patch()).isEmpty();
        assertThat(delete.message()).isEqualTo("Mutating only on create or update");
        // A DELETE request carries no object at all.
        assertThat(new AdmissionMutator().mutate(new MutationRequest("DELETE", "apps", NS, null), config).patch()).isEmpty();
    }

    @Test
    void notAnObjectIsABadRequest() {
        assertThatThrownBy(() -> new AdmissionMutator().mutate(new MutationRequest("CREATE", "apps", NS, json("[1]")), MutationConfig.EMPTY))
                .isInstanceOf(MutationException.class)
                .satisfies(e -> assertThat(((MutationException) e).code()).isEqualTo(400));
    }

    @Test
    void aPodOfSeveralMebibytesMutates(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("all.yaml"), CONFIG);
        MutationConfig config = MutationConfigLoader.load(dir);
        ObjectNode pod = yaml(POD);
        // 40 containers with 1000 env vars each, and a 2 MiB annotation: about 6 MiB of JSON.
        ArrayNode containers = (ArrayNode) pod.get("spec").get("containers");
        for (int c = 1; c < 40; c++) {
            ObjectNode container = containers.addObject().put("name", "c" + c).put("image", c % 2 == 0 ? "nginx:1.25" : "redis:7");
            ArrayNode env = container.putArray("env");
            for (int i = 0; i < 1000; i++) {
                env.addObject().put("name", "VAR_" + i).put("value", "value-" + c + "-" + i + "-" + "x".repeat(64));
            }
        }
        ((ObjectNode) pod.get("metadata")).putObject("annotations").put("blob", "y".repeat(2 * 1024 * 1024));
        assertThat(pod.toString().length()).isGreaterThan(5 * 1024 * 1024);

        AdmissionMutator mutator = new AdmissionMutator();
        MutationRequest request = new MutationRequest("CREATE", "apps", NS, pod);
        MutationResult result = mutator.mutate(request, config);

        // Every image rewritten, the 20 nginx containers bound, the pod default set, nothing else touched.
        assertThat(result.patch()).hasSize(40 + 20 + 1);
        JsonNode patched = JsonPatch.apply(result.patch(), pod);
        assertThat(JsonFields.deepEquals(patched, result.object())).isTrue();
        assertThat(JsonFields.deepEquals(TestObjects.applyWithJsonP(result.patch(), pod), result.object())).isTrue();
        assertThat(result.object().at("/spec/containers/2/securityContext/seccompProfile/localhostProfile").asString())
                .isEqualTo("operator/nginx.json");
        assertThat(result.object().at("/spec/containers/39/env/999/name").asString()).isEqualTo("VAR_999");
        assertThat(mutator.mutate(new MutationRequest("CREATE", "apps", NS, patched), config).patch()).isEmpty();
    }

    @Test
    void loaderReportsEveryInvalidObject(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("bad.yaml"), """
                apiVersion: mutations.gatekeeper.sh/v1
                kind: Assign
                metadata: {name: no-apply-to}
                spec:
                  location: spec.x
                  parameters: {assign: {value: 1}}
                ---
                apiVersion: security-profiles-operator.x-k8s.io/v1
                kind: ProfileBinding
                metadata: {name: no-image, namespace: a}
                spec:
                  profileRef: {kind: SeccompProfile, name: p}
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: ignored}
                """);
        Files.writeString(dir.resolve("broken.yml"), "a: [unclosed\n");
        assertThatThrownBy(() -> MutationConfigLoader.load(dir))
                .isInstanceOf(MutationConfigLoader.MutationConfigException.class)
                .satisfies(e -> assertThat(((MutationConfigLoader.MutationConfigException) e).errors())
                        .hasSize(3)
                        .anySatisfy(m -> assertThat(m).contains("Assign no-apply-to").contains("applyTo"))
                        .anySatisfy(m -> assertThat(m).contains("spec.image is required"))
                        .anySatisfy(m -> assertThat(m).contains("broken.yml")));
    }
}
