package io.portcullis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.APIResourceBuilder;
import io.fabric8.kubernetes.api.model.APIResourceListBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.portcullis.audit.ConstraintStatusWriter;
import io.portcullis.constraint.Manifests;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code portcullis audit} against a cluster (fabric8's CRUD mock) through a kubeconfig, as a Job would run it. */
@EnableKubernetesMockClient(crud = true)
class AuditCommandClusterTest {
    private static final ResourceDefinitionContext TEMPLATES = new ResourceDefinitionContext.Builder()
            .withGroup("templates.gatekeeper.sh").withVersion("v1").withKind("ConstraintTemplate")
            .withPlural("constrainttemplates").withNamespaced(false).build();

    KubernetesClient client;
    KubernetesMockServer server;

    @TempDir
    Path dir;
    Path kubeconfig;

    @BeforeEach
    void cluster() throws Exception {
        server.expect().get().withPath("/api/v1").andReturn(200, new APIResourceListBuilder().withGroupVersion("v1")
                .withResources(new APIResourceBuilder().withName("pods").withKind("Pod").withNamespaced(true)
                        .withVerbs("get", "list").build()).build()).always();
        create(TEMPLATES, AuditCommandTest.TEMPLATE);
        client.apiextensions().v1().customResourceDefinitions().resource(new CustomResourceDefinitionBuilder()
                .withNewMetadata().withName("k8srequiredowner.constraints.gatekeeper.sh").endMetadata()
                .withNewSpec().withGroup("constraints.gatekeeper.sh").withScope("Cluster")
                .withNewNames().withKind("K8sRequiredOwner").withPlural("k8srequiredowner").endNames()
                .addNewVersion().withName("v1beta1").withServed(true).withStorage(true)
                .withNewSubresources().withNewStatus().endStatus().endSubresources().endVersion()
                .endSpec().build()).create();
        for (String doc : AuditCommandTest.CONSTRAINTS.split("---\n")) {
            create(ConstraintStatusWriter.constraintContext("K8sRequiredOwner"), doc);
        }
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("team-a").endMetadata().build())
                .create();
        for (String name : new String[] {"unowned-1", "unowned-2"}) {
            client.pods().inNamespace("team-a").resource(new PodBuilder().withNewMetadata().withName(name)
                    .endMetadata().build()).create();
        }
        client.pods().inNamespace("team-a").resource(new PodBuilder().withNewMetadata().withName("owned")
                .withLabels(Map.of("owner", "me")).endMetadata().build()).create();

        kubeconfig = dir.resolve("kubeconfig");
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters:
                  - name: mock
                    cluster: {server: "%s", insecure-skip-tls-verify: true}
                users:
                  - name: auditor
                    user: {token: secret}
                contexts:
                  - name: mock
                    context: {cluster: mock, user: auditor}
                current-context: mock
                """.formatted(client.getConfiguration().getMasterUrl()));
    }

    private void create(ResourceDefinitionContext context, String yaml) throws Exception {
        String json = JsonMapper.builder().build().writeValueAsString(Manifests.readObjects(yaml, "test").getFirst());
        client.genericKubernetesResources(context)
                .resource(client.getKubernetesSerialization().unmarshal(json, GenericKubernetesResource.class)).create();
    }

    private JsonNode status(String name) {
        GenericKubernetesResource c = client.genericKubernetesResources(
                ConstraintStatusWriter.constraintContext("K8sRequiredOwner")).withName(name).get();
        return client.getKubernetesSerialization().convertValue(c, JsonNode.class).path("status");
    }

    @Test
    void auditsTheClusterWithItsOwnPoliciesAndWritesTheirStatus() {
        AuditCommandTest.Run run = AuditCommandTest.audit("--kubeconfig", kubeconfig.toString(), "--write-status",
                "-o", "json", "--fail-on-violations");

        assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
        JsonNode report = JsonMapper.builder().build().readTree(run.out());
        assertThat(report.get("objectsReviewed").asLong()).isEqualTo(3);
        assertThat(report.get("denyViolations").asLong()).isEqualTo(2);
        assertThat(run.err()).contains("status written to 2 constraints");
        JsonNode pods = status("pods-need-owner");
        assertThat(pods.get("auditTimestamp").asString()).isEqualTo(report.get("auditTimestamp").asString());
        assertThat(pods.get("totalViolations").asLong()).isEqualTo(2);
        assertThat(pods.get("violations").findValuesAsString("name")).containsExactly("unowned-1", "unowned-2");
        // Namespaces are not listed (discovery does not serve them here), so the warn constraint found none.
        assertThat(status("namespaces-should-have-owner").get("totalViolations").asLong()).isZero();
    }

    @Test
    void withoutWriteStatusTheClusterIsOnlyRead() {
        AuditCommandTest.Run run = AuditCommandTest.audit("--kubeconfig", kubeconfig.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("K8sRequiredOwner/pods-need-owner", "Pod team-a/unowned-1");
        assertThat(status("pods-need-owner").isMissingNode()).isTrue();
    }

    @Test
    void localPoliciesAgainstTheClustersObjects() throws Exception {
        Path constraints = Files.writeString(dir.resolve("constraints.yaml"), AuditCommandTest.CONSTRAINTS
                .replace("excludedNamespaces: [kube-system]", "excludedNamespaces: [team-a]"));
        Path template = Files.writeString(dir.resolve("template.yaml"), AuditCommandTest.TEMPLATE);

        AuditCommandTest.Run run = AuditCommandTest.audit("--kubeconfig", kubeconfig.toString(),
                "--templates", template.toString(), "--constraints", constraints.toString(), "--fail-on-violations");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).contains("audited 3 objects").contains(": 0 violations");
    }

    @Test
    void anUnreachableClusterExitsThree() throws Exception {
        Path nowhere = Files.writeString(dir.resolve("nowhere"), Files.readString(kubeconfig)
                .replace(client.getConfiguration().getMasterUrl().replaceAll("/$", ""), "http://127.0.0.1:1"));
        // Slow on purpose: fabric8 retries a refused connection with backoff, as a Job would want.
        AuditCommandTest.Run run = AuditCommandTest.audit("--kubeconfig", nowhere.toString());
        assertThat(run.exitCode()).isEqualTo(3);
        assertThat(run.err()).contains("audit: the cluster:");
    }
}
