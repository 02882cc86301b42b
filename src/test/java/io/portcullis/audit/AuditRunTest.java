package io.portcullis.audit;

import static io.portcullis.audit.AuditFixtures.constraint;
import static io.portcullis.audit.AuditFixtures.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.constraint.GatekeeperConfig;
import io.portcullis.constraint.TemplateParser;
import io.portcullis.constraint.Validator;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/** One run fed object by object, without a cluster. */
class AuditRunTest {
    private static final Instant START = Instant.parse("2025-03-01T10:00:00.750Z");

    private static ObjectNode pod(String namespace, String name) {
        return json("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'" + name + "','namespace':'" + namespace + "'}}");
    }

    @Test
    void theAuditIdIsTheStartInRfc3339Seconds() throws Exception {
        AuditRun run = new AuditRun(START, AuditFixtures.validator(), GatekeeperConfig.EMPTY, name -> null, 20);
        assertThat(run.auditId()).isEqualTo("2025-03-01T10:00:00Z");
        assertThat(run.hasConstraints()).isFalse();
    }

    @Test
    void scopedConstraintsReportTheirActionsAtTheAuditPointOnly() throws Exception {
        ObjectNode everywhere = constraint("scoped-everywhere", "scoped", "");
        everywhere.withObjectProperty("spec").putArray("scopedEnforcementActions").add(json(
                "{'action':'deny','enforcementPoints':[{'name':'*'}]}")).add(json(
                "{'action':'warn','enforcementPoints':[{'name':'audit.gatekeeper.sh'}]}"));
        ObjectNode webhookOnly = constraint("scoped-webhook-only", "scoped", "");
        webhookOnly.withObjectProperty("spec").putArray("scopedEnforcementActions").add(json(
                "{'action':'deny','enforcementPoints':[{'name':'validation.gatekeeper.sh'}]}"));
        AuditRun run = new AuditRun(START, AuditFixtures.validator(everywhere, webhookOnly), GatekeeperConfig.EMPTY,
                name -> null, 20);

        run.review(pod("team-a", "p"));
        AuditReport report = run.finish(START.plusSeconds(1));

        assertThat(report.constraints()).extracting(AuditReport.ConstraintResult::name, AuditReport.ConstraintResult::totalViolations)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("scoped-everywhere", 1L),
                        org.assertj.core.groups.Tuple.tuple("scoped-webhook-only", 0L));
        StatusViolation entry = report.constraints().getFirst().violations().getFirst();
        assertThat(entry.enforcementAction()).isEqualTo("scoped");
        assertThat(entry.enforcementActions()).containsExactly("deny", "warn");
        assertThat(report.denyViolations()).isEqualTo(1);
        assertThat(report.violationsByEnforcementAction()).containsEntry("scoped", 1L);
    }

    @Test
    void anObjectWhoseReviewFailsIsAnErrorAndTheOthersAreStillReviewed() throws Exception {
        Validator validator = AuditFixtures.validator(constraint("pods-need-owner", "deny", ""));
        validator.addTemplate(TemplateParser.parse(AuditFixtures.yaml("""
                apiVersion: templates.gatekeeper.sh/v1
                kind: ConstraintTemplate
                metadata: {name: k8snumbermessage}
                spec:
                  crd: {spec: {names: {kind: K8sNumberMessage}}}
                  targets:
                    - target: admission.k8s.gatekeeper.sh
                      rego: |
                        package k8snumbermessage
                        violation[{"msg": 42}] {
                          input.review.object.metadata.name == "bad"
                        }
                """), "t"));
        validator.addConstraint(json("{'apiVersion':'constraints.gatekeeper.sh/v1beta1','kind':'K8sNumberMessage',"
                + "'metadata':{'name':'numbers'}}"));
        AuditRun run = new AuditRun(START, validator, GatekeeperConfig.EMPTY, name -> null, 20);

        run.review(pod("team-a", "bad"));
        run.review(pod("team-a", "good"));
        AuditReport report = run.finish(START);

        assertThat(report.errors()).singleElement().asString().contains("team-a/bad").contains("not a string");
        assertThat(report.objectsReviewed()).isEqualTo(1);
        assertThat(AuditFixtures.names(report.constraints().get(1).violations())).containsExactly("good");
    }

    @Test
    void namespaceLookupDecidesBetweenReviewingWithoutAndSkipping() throws Exception {
        ObjectNode selected = constraint("selected", "deny", ",'namespaceSelector':{'matchLabels':{'audit':'yes'}}");
        AuditRun run = new AuditRun(START, AuditFixtures.validator(selected), GatekeeperConfig.EMPTY, name -> switch (name) {
            case "labelled" -> json("{'apiVersion':'v1','kind':'Namespace','metadata':{'name':'labelled','labels':{'audit':'yes'}}}");
            case "gone" -> throw new NamespaceLookup.Unavailable("namespaces \"gone\" not found");
            default -> null;
        }, 20);

        run.review(pod("labelled", "a"));
        run.review(pod("gone", "b"));
        run.review(pod("unknown", "c"));
        AuditReport report = run.finish(START);

        assertThat(report.objectsSkipped()).isEqualTo(1);
        assertThat(report.objectsReviewed()).isEqualTo(2);
        // Without its Namespace a namespaceSelector cannot be decided: Gatekeeper's match error, as a violation.
        assertThat(report.constraints().getFirst().violations()).extracting(StatusViolation::name, StatusViolation::message)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("a", "Pod a has no owner label (operation \"\", user {})"),
                        org.assertj.core.groups.Tuple.tuple("c", "unable to match constraints: error matching the requested "
                                + "object: c :failed to run Match criteria: namespace selector for namespace-scoped "
                                + "object but missing Namespace"));
    }
}
