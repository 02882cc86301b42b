package io.portcullis.audit;

import static io.portcullis.audit.AuditFixtures.constraint;
import static io.portcullis.audit.AuditFixtures.constraintInCluster;
import static io.portcullis.audit.AuditFixtures.createConstraint;
import static io.portcullis.audit.AuditFixtures.createNamespace;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.portcullis.constraint.GatekeeperConfig;
import io.portcullis.expansion.ExpansionSystem;
import io.portcullis.expansion.ExpansionTemplate;
import io.portcullis.mutation.gatekeeper.MutatorSystem;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The audit with an ExpansionTemplate: Deployments are listed although the constraint names only Pods, and the Pod a
 * Deployment would create is reviewed; its violation is written into the constraint's status on the Deployment, with
 * Gatekeeper's "[Implied by TEMPLATE]" prefix and the template's enforcementAction.
 */
@EnableKubernetesMockClient(crud = true)
class AuditExpansionTest {
    KubernetesClient client;
    KubernetesMockServer server;

    @Test
    void aDeploymentViolatesThroughThePodItWouldCreate() throws Exception {
        AuditFixtures.serveDiscovery(server);
        ObjectNode owner = constraint("pods-need-owner", "deny", "");
        createConstraint(client, owner);
        createNamespace(client, "team-a", Map.of());
        for (String name : List.of("unowned", "owned")) {
            client.apps().deployments().inNamespace("team-a").resource(new DeploymentBuilder()
                    .withNewMetadata().withName(name).withNamespace("team-a").endMetadata()
                    .withNewSpec().withNewSelector().addToMatchLabels("app", name).endSelector()
                    .withNewTemplate().withNewMetadata().addToLabels("app", name)
                    .addToLabels(name.equals("owned") ? Map.of("owner", "me") : Map.of()).endMetadata()
                    .withNewSpec().addNewContainer().withName("app").withImage("nginx").endContainer().endSpec()
                    .endTemplate().endSpec().build()).create();
        }
        ExpansionSystem expansion = new ExpansionSystem(List.of(ExpansionTemplate.parse(AuditFixtures.yaml("""
                apiVersion: expansion.gatekeeper.sh/v1beta1
                kind: ExpansionTemplate
                metadata:
                  name: expand-deployments
                spec:
                  applyTo:
                    - groups: ["apps"]
                      kinds: ["Deployment"]
                      versions: ["v1"]
                  templateSource: "spec.template"
                  generatedGVK: {kind: Pod, group: "", version: v1}
                  enforcementAction: warn
                """))));

        AuditReport report = new ClusterAudit(client, 500, 20).run(AuditFixtures.validator(owner),
                GatekeeperConfig.EMPTY, expansion, new MutatorSystem(List.of()), AuditProgress.NONE);
        new ConstraintStatusWriter(client).write(report);

        assertThat(report.errors()).isEmpty();
        JsonNode status = constraintInCluster(client, "K8sRequiredOwner", "pods-need-owner").get("status");
        assertThat(status.get("totalViolations").asLong()).isEqualTo(1);
        JsonNode violation = status.get("violations").get(0);
        assertThat(violation.get("kind").asString()).isEqualTo("Deployment");
        assertThat(violation.get("name").asString()).isEqualTo("unowned");
        assertThat(violation.get("enforcementAction").asString()).isEqualTo("warn");
        assertThat(violation.get("message").asString()).isEqualTo(
                "[Implied by expand-deployments] Pod unowned-pod has no owner label (operation \"\", user {})");
    }
}
