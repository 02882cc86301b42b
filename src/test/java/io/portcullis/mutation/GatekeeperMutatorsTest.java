package io.portcullis.mutation;

import io.portcullis.mutation.error.MutationException;
import static io.portcullis.mutation.TestObjects.assertPatchAndIdempotence;
import static io.portcullis.mutation.TestObjects.json;
import static io.portcullis.mutation.TestObjects.namespace;
import static io.portcullis.mutation.TestObjects.yaml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portcullis.mutation.gatekeeper.Location;
import io.portcullis.mutation.gatekeeper.Mutator;
import io.portcullis.mutation.gatekeeper.MutatorId;
import io.portcullis.mutation.gatekeeper.Mutators;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Gatekeeper mutator semantics beyond the library samples: each kind, paths, ordering, conflicts and errors. */
class GatekeeperMutatorsTest {
    private static final JsonNode NS = namespace("prod", "env", "prod");
    private final AdmissionMutator mutator = new AdmissionMutator();

    private static final String POD = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: web-1
              namespace: prod
              labels: {app: web}
            spec:
              containers:
              - name: app
                image: nginx:1.25
                ports:
                - containerPort: 80
                - containerPort: 443
              - name: proxy
                image: docker.io/envoyproxy/envoy@sha256:0123456789abcdef0123456789abcdef
            """;

    private static MutationConfig mutators(String... manifests) {
        List<Mutator> list = new ArrayList<>();
        for (String m : manifests) {
            list.add(Mutators.parse(yaml(m)));
        }
        return MutationConfig.of(List.of(), List.of(), list);
    }

    private static String assign(String name, String location, String parameters) {
        return """
                apiVersion: mutations.gatekeeper.sh/v1
                kind: Assign
                metadata:
                  name: %s
                spec:
                  applyTo:
                  - groups: [""]
                    kinds: ["Pod"]
                    versions: ["v1"]
                  location: "%s"
                  parameters:
                %s
                """.formatted(name, location, parameters.indent(4));
    }

    private MutationResult mutate(String object, MutationConfig config) throws MutationException {
        MutationRequest request = new MutationRequest("CREATE", "prod", NS, yaml(object));
        MutationResult result = mutator.mutate(request, config);
        assertPatchAndIdempotence(mutator, request, config, result);
        return result;
    }

    @Test
    void keyedListElementIsCreatedWithItsKeyAndIntegerKeysMatchNumbers() throws Exception {
        MutationResult result = mutate(POD, mutators(
                assign("sidecar", "spec.containers[name: sidecar].image", "assign:\n  value: busybox"),
                assign("https", "spec.containers[name:app].ports[containerPort: 443].protocol", "assign:\n  value: TCP")));
        JsonNode containers = result.object().path("spec").path("containers");
        assertThat(containers).hasSize(3);
        assertThat(containers.get(2)).isEqualTo(json("{name: sidecar, image: busybox}"));
        assertThat(containers.get(0).path("ports")).isEqualTo(json("[{containerPort: 80}, {containerPort: 443, protocol: TCP}]"));
    }

    @Test
    void assignToAKeyedListReplacesTheElementButNeverItsKey() throws Exception {
        MutationResult result = mutate(POD, mutators(assign("replace-proxy", "spec.containers[name: proxy]",
                "assign:\n  value: {name: proxy, image: envoy:v2}")));
        assertThat(result.object().path("spec").path("containers").get(1)).isEqualTo(json("{name: proxy, image: envoy:v2}"));
        assertThatThrownBy(() -> Mutators.parse(yaml(assign("bad", "spec.containers[name: proxy]",
                "assign:\n  value: {name: other}")))).hasMessageContaining("adding object to list with different key");
        assertThatThrownBy(() -> Mutators.parse(yaml(assign("bad", "spec.containers[name: proxy].name",
                "assign:\n  value: other")))).hasMessageContaining("changing the key field");
    }

    @Test
    void fromMetadataUsesTheRequestNamespace() throws Exception {
        String pod = POD.replace("  namespace: prod\n", "");
        MutationResult result = mutate(pod, mutators(assign("ns-env", "spec.containers[name:*].env[name: NAMESPACE].value",
                "assign:\n  fromMetadata:\n    field: namespace")));
        assertThat(result.object().path("spec").path("containers").get(0).path("env"))
                .isEqualTo(json("[{name: NAMESPACE, value: prod}]"));
        assertThat(result.object().path("metadata").has("namespace")).as("namespace restored").isFalse();
    }

    @Test
    void mustExistAndGlobsOnlyTouchWhatIsThere() throws Exception {
        MutationResult result = mutate(POD, mutators(assign("tcp-only", "spec.containers[name:*].ports[containerPort:*].protocol",
                """
                pathTests:
                - subPath: "spec.containers[name:*].ports"
                  condition: MustExist
                assign:
                  value: TCP""")));
        JsonNode containers = result.object().path("spec").path("containers");
        assertThat(containers.get(0).path("ports").findValuesAsString("protocol")).containsExactly("TCP", "TCP");
        assertThat(containers.get(1).has("ports")).isFalse();
    }

    @Test
    void modifySetMergesAndPrunes() throws Exception {
        String merge = """
                apiVersion: mutations.gatekeeper.sh/v1beta1
                kind: ModifySet
                metadata:
                  name: args-merge
                spec:
                  applyTo: [{groups: [""], kinds: [Pod], versions: [v1]}]
                  location: "spec.containers[name: app].args"
                  parameters:
                    values:
                      fromList: ["--verbose", "--port=80"]
                """;
        String prune = merge.replace("args-merge", "args-prune").replace("    values:", "    operation: prune\n    values:")
                .replace("[\"--verbose\", \"--port=80\"]", "[\"--debug\"]");
        MutationResult result = mutate(POD.replace("image: nginx:1.25", "image: nginx:1.25\n    args: [--debug, --port=80]"),
                mutators(merge, prune));
        assertThat(result.object().path("spec").path("containers").get(0).path("args"))
                .isEqualTo(json("[\"--port=80\", \"--verbose\"]"));
        assertThatThrownBy(() -> mutator.mutate(new MutationRequest("CREATE", "prod", NS,
                yaml(POD.replace("image: nginx:1.25", "image: nginx:1.25\n    args: not-a-list"))), mutators(merge)))
                .isInstanceOf(MutationException.class).hasMessageContaining("is not a list of values");
    }

    @Test
    void assignImageReplacesOnlyTheGivenParts() throws Exception {
        String image = """
                apiVersion: mutations.gatekeeper.sh/v1alpha1
                kind: AssignImage
                metadata:
                  name: mirror
                spec:
                  applyTo: [{groups: [""], kinds: [Pod], versions: [v1]}]
                  location: "spec.containers[name:*].image"
                  parameters:
                    assignDomain: mirror.example.com:5000
                """;
        MutationResult result = mutate(POD, mutators(image));
        assertThat(result.object().path("spec").path("containers").findValuesAsString("image")).containsExactly(
                "mirror.example.com:5000/nginx:1.25",
                "mirror.example.com:5000/envoyproxy/envoy@sha256:0123456789abcdef0123456789abcdef");
        String tag = image.replace("name: mirror", "name: pin").replace("assignDomain: mirror.example.com:5000", "assignTag: \":stable\"");
        assertThat(mutate(POD, mutators(tag)).object().path("spec").path("containers").get(0).path("image").asString())
                .isEqualTo("nginx:stable");
        assertThatThrownBy(() -> Mutators.parse(yaml(image.replace("assignDomain: mirror.example.com:5000", "assignPath: gcr.io/repo"))))
                .hasMessageContaining("assignDomain must be set");
        assertThatThrownBy(() -> Mutators.parse(yaml(image.replace("assignDomain: mirror.example.com:5000", "assignTag: latest"))))
                .hasMessageContaining("assignTag");
    }

    @Test
    void assignMetadataOnlyAddsAndAppliesToAnyKind() throws Exception {
        String owner = """
                apiVersion: mutations.gatekeeper.sh/v1
                kind: AssignMetadata
                metadata:
                  name: owner
                spec:
                  match:
                    namespaces: ["pro*"]
                  location: "metadata.labels.owner"
                  parameters:
                    assign:
                      value: platform
                """;
        String keep = owner.replace("name: owner", "name: keep-app").replace("labels.owner", "labels.app");
        MutationResult result = mutate(POD, mutators(owner, keep));
        assertThat(result.object().path("metadata").path("labels")).isEqualTo(json("{app: web, owner: platform}"));
        assertThat(result.patch()).isEqualTo(json("[{op: add, path: /metadata/labels/owner, value: platform}]"));
        assertThatThrownBy(() -> Mutators.parse(yaml(owner.replace("metadata.labels.owner", "spec.owner"))))
                .hasMessageContaining("invalid location for assignmetadata");
        MutationResult configMap = mutate("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: prod}\n", mutators(owner));
        assertThat(configMap.object().path("metadata").path("labels").path("owner").asString()).isEqualTo("platform");
    }

    @Test
    void mutatorsRunInKindThenNameOrderUntilConvergence() throws Exception {
        // ModifySet (kind M) runs after Assign (kind A) in a pass; the second pass then sees the Assign's list.
        String set = """
                apiVersion: mutations.gatekeeper.sh/v1
                kind: ModifySet
                metadata:
                  name: a-first-by-name
                spec:
                  applyTo: [{groups: [""], kinds: [Pod], versions: [v1]}]
                  location: "spec.containers[name: app].securityContext.capabilities.drop"
                  parameters:
                    values:
                      fromList: [NET_RAW]
                """;
        String reset = assign("z-last-by-name", "spec.containers[name: app].securityContext.capabilities.drop", """
                pathTests:
                - subPath: "spec.containers[name: app].securityContext.capabilities.drop"
                  condition: MustNotExist
                assign:
                  value: [ALL]""");
        MutationResult result = mutate(POD, mutators(set, reset));
        assertThat(result.object().at("/spec/containers/0/securityContext/capabilities/drop")).isEqualTo(json("[ALL, NET_RAW]"));
        assertThat(result.appliedMutators()).containsExactly(
                new MutatorId("Assign", "z-last-by-name"), new MutatorId("ModifySet", "a-first-by-name"));
    }

    @Test
    void typeMismatchAlongThePathIsAnError() {
        MutationConfig config = mutators(assign("bad", "spec.containers.image", "assign:\n  value: x"));
        assertThatThrownBy(() -> mutator.mutate(new MutationRequest("CREATE", "prod", NS, yaml(POD)), config))
                .isInstanceOf(MutationException.class)
                .hasMessageContaining("mismatch between path entry (type: object) and received object (type: array)")
                .hasMessageContaining("Assign/bad");
    }

    @Test
    void conflictingSchemasSkipBothMutators() throws Exception {
        MutationConfig config = mutators(
                assign("as-object", "spec.containers[name: app].securityContext.capabilities.add", "assign:\n  value: [X]"),
                assign("as-list", "spec.containers[name: app].securityContext.capabilities[name: x].value", "assign:\n  value: 1"),
                assign("fine", "spec.containers[name: app].securityContext.privileged", "assign:\n  value: false"));
        MutationResult result = mutate(POD, config);
        assertThat(result.object().at("/spec/containers/0/securityContext")).isEqualTo(json("{privileged: false}"));
        assertThat(config.mutators().conflicts()).containsOnlyKeys(new MutatorId("Assign", "as-list"), new MutatorId("Assign", "as-object"));
        assertThat(config.mutators().conflicts().get(new MutatorId("Assign", "as-list")))
                .isEqualTo("the following mutators have conflicting schemas: [Assign/as-list, Assign/as-object]");
    }

    @Test
    void applyToAndMatchSelectWhatIsMutated() throws Exception {
        String onlyUpdate = assign("on-update", "spec.priority", "assign:\n  value: 5")
                .replace("    versions: [\"v1\"]", "    versions: [\"v1\"]\n    operations: [UPDATE]");
        String otherNamespace = assign("other-ns", "spec.hostname", "assign:\n  value: x")
                .replace("  location:", "  match:\n    excludedNamespaces: [\"pr*\"]\n  location:");
        String selected = assign("selected", "spec.subdomain", "assign:\n  value: web")
                .replace("  location:", "  match:\n    namespaceSelector: {matchLabels: {env: prod}}\n    labelSelector: {matchLabels: {app: web}}\n    name: \"web-*\"\n  location:");
        MutationResult result = mutate(POD, mutators(onlyUpdate, otherNamespace, selected));
        assertThat(result.appliedMutators()).containsExactly(new MutatorId("Assign", "selected"));
        MutationResult update = mutator.mutate(new MutationRequest("UPDATE", "prod", NS, yaml(POD)), mutators(onlyUpdate));
        assertThat(update.object().at("/spec/priority").asInt()).isEqualTo(5);
        assertThat(mutator.mutate(new MutationRequest("DELETE", "prod", NS, yaml(POD)), mutators(onlyUpdate)).patch()).isEmpty();
    }

    @Test
    void namespaceSelectorWithoutTheNamespaceIsAnError() {
        String selected = assign("selected", "spec.subdomain", "assign:\n  value: web")
                .replace("  location:", "  match:\n    namespaceSelector: {matchLabels: {env: prod}}\n  location:");
        assertThatThrownBy(() -> mutator.mutate(new MutationRequest("CREATE", "prod", null, yaml(POD)), mutators(selected)))
                .isInstanceOf(MutationException.class)
                .hasMessageContaining("namespace selector for namespace-scoped object but missing Namespace");
    }

    @Test
    void gatekeeperResourcesAreNotMutated() throws Exception {
        String anything = """
                apiVersion: mutations.gatekeeper.sh/v1
                kind: AssignMetadata
                metadata:
                  name: label-everything
                spec:
                  location: "metadata.labels.touched"
                  parameters:
                    assign:
                      value: "yes"
                """;
        ObjectNode constraint = yaml("apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sRequiredLabels\nmetadata: {name: x}\n");
        MutationResult result = mutator.mutate(new MutationRequest("CREATE", "", null, constraint), mutators(anything));
        assertThat(result.patch()).isEmpty();
        assertThat(result.message()).isEqualTo("Not mutating gatekeeper resources");
    }

    @Test
    void invalidMutatorsAreRejectedWithTheReason() {
        assertThatThrownBy(() -> Mutators.parse(yaml(assign("meta", "metadata.labels.x", "assign:\n  value: y"))))
                .hasMessageContaining("can't change metadata");
        assertThatThrownBy(() -> Mutators.parse(yaml(assign("two", "spec.x", "assign:\n  value: 1\n  fromMetadata: {field: name}"))))
                .hasMessageContaining("exactly one of");
        assertThatThrownBy(() -> Mutators.parse(yaml(assign("ext", "spec.x", "assign:\n  value: 1\n  externalData: {provider: p}"))))
                .hasMessageContaining("exactly one of");
        assertThatThrownBy(() -> Mutators.parse(yaml("""
                apiVersion: mutations.gatekeeper.sh/v1
                kind: AssignMetadata
                metadata:
                  name: ext
                spec:
                  location: metadata.labels.owner
                  parameters:
                    assign:
                      externalData: {provider: p}
                """)))
                .hasMessageContaining("external data is not supported in AssignMetadata yet");
        assertThatThrownBy(() -> Mutators.parse(yaml(assign("tests", "spec.x.y", "pathTests:\n- {subPath: spec.z, condition: MustExist}\nassign:\n  value: 1"))))
                .hasMessageContaining("must be a prefix");
        assertThatThrownBy(() -> Mutators.parse(yaml(assign("x".repeat(64), "spec.x", "assign:\n  value: 1"))))
                .hasMessageContaining("longer than 63");
        assertThatThrownBy(() -> Mutators.parse(yaml(assign("ops", "spec.x", "assign:\n  value: 1")
                .replace("    versions: [\"v1\"]", "    versions: [\"v1\"]\n    operations: [DELETE]"))))
                .hasMessageContaining("DELETE is not supported");
        assertThatThrownBy(() -> Mutators.parse(yaml(assign("bad-match", "spec.x", "assign:\n  value: 1")
                .replace("  location:", "  match:\n    source: Both\n    labelSelector: {matchExpressions: [{key: a, operator: In}]}\n  location:"))))
                .isInstanceOf(Mutators.InvalidMutatorException.class)
                .hasMessage("Assign bad-match: spec.match.source: Unsupported value: \"Both\": supported values: \"All\", "
                        + "\"Generated\", \"Original\", spec.labelSelector.matchExpressions[0].values: Required value: "
                        + "must be specified when `operator` is 'In' or 'NotIn'");
    }

    @Test
    void locationSyntax() {
        Location location = Location.parse("spec.containers[name: \"my.app\"].ports[containerPort:80].'x.y'");
        assertThat(location.nodes()).containsExactly(
                new Location.Field("spec"), new Location.Field("containers"), new Location.ListEntry("name", "my.app", false),
                new Location.Field("ports"), new Location.ListEntry("containerPort", 80L, false), new Location.Field("x.y"));
        assertThat(Location.parse("spec.containers[name:*].image").node(2)).isEqualTo(new Location.ListEntry("name", null, true));
        for (String bad : List.of("spec.", "spec..x", "spec[name:x][name:y]", "spec.containers[name]", "spec.\"open", "spec.a/b", "", "7.x")) {
            assertThatThrownBy(() -> Location.parse(bad)).as(bad).isInstanceOf(Location.InvalidLocationException.class);
        }
    }
}
