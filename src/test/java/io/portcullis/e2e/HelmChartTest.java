package io.portcullis.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.json.JsonFields;
import io.portcullis.constraint.Manifests;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * charts/portcullis against k8s/: with default values the chart renders the same objects (kind, name, namespace)
 * as {@code kubectl kustomize k8s/} (kubectl's built-in kustomize, from the Kubernetes binaries the end-to-end
 * tests build from their Go modules), its CRDs are k8s/crds, it lints clean, and its values take effect.
 * Helm comes from bin/helm (built from its Go module). Not an end-to-end test: no API server runs here.
 */
class HelmChartTest {
    private static final Path PROJECT = Helm.PROJECT;
    private static final String NAMESPACE = "portcullis-system";

    record Id(String kind, String name, String namespace) {
        static Id of(JsonNode object) {
            return new Id(object.path("kind").asString(), JsonFields.name(object), object.at("/metadata/namespace").asString(""));
        }
    }

    @Test
    void defaultValuesRenderTheSameKindsAndNamesAsKustomize() throws Exception {
        Path kubectl = ClusterBinaries.locate().resolve("kubectl");
        String kustomized = Kubectl.run(kubectl, Path.of("/dev/null"), Map.of(), null, Duration.ofMinutes(2),
                "kustomize", PROJECT.resolve("k8s").toString()).orThrow();
        List<Id> expected = ids(kustomized);
        List<Id> rendered = ids(Helm.template(NAMESPACE));

        assertThat(expected).hasSizeGreaterThan(20).contains(new Id("Deployment", "portcullis", NAMESPACE),
                new Id("CustomResourceDefinition", "constrainttemplates.templates.gatekeeper.sh", ""));
        assertThat(rendered).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void defaultValuesGiveTheContainersTheJvmFlagsOfK8s() throws Exception {
        Path kubectl = ClusterBinaries.locate().resolve("kubectl");
        List<ObjectNode> kustomized = Manifests.readObjects(Kubectl.run(kubectl, Path.of("/dev/null"), Map.of(), null,
                Duration.ofMinutes(2), "kustomize", PROJECT.resolve("k8s").toString()).orThrow(), "kubectl kustomize");
        List<ObjectNode> rendered = Manifests.readObjects(Helm.template(NAMESPACE), "helm template");
        for (String kind : List.of("Deployment", "CronJob")) {
            assertThat(jvmFlags(find(rendered, kind))).as(kind + " JAVA_TOOL_OPTIONS in the chart")
                    .isNotEmpty().isEqualTo(jvmFlags(find(kustomized, kind)));
        }
    }

    @Test
    void defaultValuesGrantTheRulesOfK8s() throws Exception {
        Path kubectl = ClusterBinaries.locate().resolve("kubectl");
        List<ObjectNode> kustomized = Manifests.readObjects(Kubectl.run(kubectl, Path.of("/dev/null"), Map.of(), null,
                Duration.ofMinutes(2), "kustomize", PROJECT.resolve("k8s").toString()).orThrow(), "kubectl kustomize");
        List<ObjectNode> rendered = Manifests.readObjects(Helm.template(NAMESPACE), "helm template");
        for (String kind : List.of("ClusterRole", "Role")) {
            for (ObjectNode role : kustomized.stream().filter(o -> kind.equals(o.path("kind").asString())).toList()) {
                ObjectNode chart = rendered.stream().filter(o -> kind.equals(o.path("kind").asString())
                        && JsonFields.name(o).equals(JsonFields.name(role))).findFirst().orElseThrow();
                assertThat(chart.path("rules")).as(kind + " " + JsonFields.name(role) + " rules in the chart")
                        .isEqualTo(role.path("rules"));
            }
        }
    }

    private static String jvmFlags(JsonNode workload) {
        JsonNode pod = workload.has("spec") && workload.at("/spec/jobTemplate").isObject()
                ? workload.at("/spec/jobTemplate/spec/template/spec") : workload.at("/spec/template/spec");
        return String.valueOf(env(pod.at("/containers/0")).get("JAVA_TOOL_OPTIONS")).strip().replaceAll("\\s+", " ");
    }

    @Test
    void theChartsCrdsAreThoseOfK8s() throws Exception {
        Path chartCrds = Helm.CHART.resolve("files/crds");
        try (Stream<Path> files = Files.list(PROJECT.resolve("k8s/crds"))) {
            List<Path> shipped = files.sorted().toList();
            assertThat(shipped).isNotEmpty();
            for (Path crd : shipped) {
                assertThat(chartCrds.resolve(crd.getFileName()))
                        .as("charts/portcullis/files/crds must be a copy of k8s/crds: cp k8s/crds/*.yaml " + chartCrds)
                        .hasSameTextualContentAs(crd);
            }
        }
        try (Stream<Path> files = Files.list(chartCrds)) {
            assertThat(files.count()).as("no CRD in the chart that k8s/crds lacks").isEqualTo(
                    Files.list(PROJECT.resolve("k8s/crds")).count());
        }
    }

    @Test
    void theChartLintsClean() {
        Kubectl.Result lint = Helm.run("lint", "--strict", Helm.CHART.toString());
        assertThat(lint.exitCode()).as(lint.stdout() + lint.stderr()).isZero();
        assertThat(lint.stdout()).contains("1 chart(s) linted, 0 chart(s) failed").doesNotContain("[WARNING]", "[ERROR]");
    }

    @Test
    void gatekeeperNamedValuesReachTheObjects() throws Exception {
        List<ObjectNode> objects = Manifests.readObjects(Helm.template("policy",
                "--set", "replicas=2", "--set", "validatingWebhookFailurePolicy=Fail",
                "--set", "validatingWebhookTimeoutSeconds=7", "--set", "mutatingWebhookFailurePolicy=Fail",
                "--set", "enableDeleteOperations=true", "--set", "auditInterval=30", "--set", "constraintViolationsLimit=5",
                "--set", "exemptNamespaces={kube-system,monitoring}", "--set", "logLevel=WARNING",
                "--set", "exemptNamespacePrefixes={team-}", "--set", "exemptNamespaceSuffixes={-sandbox}",
                "--set", "logDenies=true", "--set", "emitAdmissionEvents=true", "--set", "emitAuditEvents=true",
                "--set", "validatingWebhookCheckIgnoreFailurePolicy=Ignore",
                "--set", "externaldataProviderResponseCacheTTL=1m",
                "--set", "image.repository=registry.example/portcullis", "--set", "image.release=1.2.3",
                "--set", "createNamespace=false", "--set", "crds.install=false"), "helm template");
        JsonNode deployment = find(objects, "Deployment");
        assertThat(deployment.at("/spec/replicas").asInt()).isEqualTo(2);
        JsonNode container = deployment.at("/spec/template/spec/containers/0");
        assertThat(container.path("image").asString()).isEqualTo("registry.example/portcullis:1.2.3");
        assertThat(texts(container.path("args"))).containsExactly("serve", "--exempt-namespace=kube-system",
                "--exempt-namespace=monitoring", "--exempt-namespace-prefix=team-", "--exempt-namespace-suffix=-sandbox",
                "--log-denies", "--emit-admission-events", "--emit-audit-events",
                "--external-data-provider-response-cache-ttl=1m");
        assertThat(env(container)).containsEntry("PORTCULLIS_AUDIT_INTERVAL", "30")
                .containsEntry("PORTCULLIS_AUDIT_VIOLATIONSLIMIT", "5").containsEntry("LOGGING_LEVEL_ROOT", "WARN");

        JsonNode validating = find(objects, "ValidatingWebhookConfiguration").at("/webhooks/0");
        assertThat(validating.path("failurePolicy").asString()).isEqualTo("Fail");
        assertThat(validating.path("timeoutSeconds").asInt()).isEqualTo(7);
        assertThat(texts(validating.at("/rules/0/operations"))).containsExactly("CREATE", "UPDATE", "DELETE");
        assertThat(validating.at("/clientConfig/service/namespace").asString()).isEqualTo("policy");
        assertThat(texts(validating.at("/namespaceSelector/matchExpressions/1/values"))).containsExactly("policy");
        JsonNode checkIgnoreLabel = find(objects, "ValidatingWebhookConfiguration").at("/webhooks/1");
        assertThat(checkIgnoreLabel.path("name").asString()).isEqualTo("check-ignore-label.portcullis.dev");
        assertThat(checkIgnoreLabel.path("failurePolicy").asString()).isEqualTo("Ignore");
        assertThat(texts(checkIgnoreLabel.at("/namespaceSelector/matchExpressions/0/values"))).containsExactly("policy");
        assertThat(find(objects, "MutatingWebhookConfiguration").at("/webhooks/0/failurePolicy").asString()).isEqualTo("Fail");
        assertThat(objects).extracting(o -> o.path("kind").asString())
                .doesNotContain("Namespace", "CustomResourceDefinition");
    }

    @Test
    void aLogLevelOutsideGatekeepersIsRefusedWithItsName() {
        Kubectl.Result result = Helm.run("template", "portcullis", Helm.CHART.toString(), "--set", "logLevel=LOUD");
        assertThat(result.exitCode()).isNotZero();
        assertThat(result.stderr()).contains("logLevel must be DEBUG, INFO, WARNING or ERROR, not \"LOUD\"");
    }

    private static List<Id> ids(String manifests) throws Exception {
        return Manifests.readObjects(manifests, "manifests").stream().map(Id::of).toList();
    }

    private static JsonNode find(List<ObjectNode> objects, String kind) {
        return objects.stream().filter(o -> kind.equals(o.path("kind").asString())).findFirst().orElseThrow(
                () -> new AssertionError("no " + kind + " rendered"));
    }

    private static List<String> texts(JsonNode array) {
        return array.valueStream().map(JsonNode::asString).toList();
    }

    private static Map<String, String> env(JsonNode container) {
        java.util.LinkedHashMap<String, String> env = new java.util.LinkedHashMap<>();
        container.path("env").forEach(e -> env.put(e.path("name").asString(), e.path("value").asString(null)));
        return env;
    }
}
