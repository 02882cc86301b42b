package io.portcullis.constraint;

import static io.portcullis.constraint.Engines.constraint;
import static io.portcullis.constraint.Engines.template;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portcullis.match.Matcher;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

class ValidatorTest {
    /** Reports what Rego sees, so the tests can compare it with Gatekeeper's input document. */
    static final String PROBE = """
            package k8sprobe
            violation[{"msg": "probe", "details": {"review": input.review, "parameters": input.parameters}}] { true }
            """;
    static final String REQUIRED_LABEL = """
            package k8srequired
            violation[{"msg": msg, "details": {"missing": label}}] {
              label := input.parameters.labels[_]
              not input.review.object.metadata.labels[label]
              msg := sprintf("missing label %v", [label])
            }
            """;
    static final ObjectNode POD = Json.obj("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'web','namespace':'team-a','labels':{'app':'web'}},'spec':{}}");
    static final ObjectNode TEAM_A = Json.obj("{'apiVersion':'v1','kind':'Namespace','metadata':{'name':'team-a','labels':{'env':'prod'}}}");

    Validator validator;

    @BeforeEach
    void setUp() {
        validator = new Validator(Engines.COMPILER);
    }

    static ObjectNode createRequest(JsonNode object) {
        ObjectNode req = Json.obj("{'uid':'u-1','kind':{'group':'','version':'v1','kind':'Pod'},"
                + "'resource':{'group':'','version':'v1','resource':'pods'},'name':'web','namespace':'team-a',"
                + "'operation':'CREATE','userInfo':{'username':'alice','groups':['dev']},'dryRun':false,"
                + "'options':{'kind':'CreateOptions','apiVersion':'meta.k8s.io/v1'}}");
        req.set("object", object);
        return req;
    }

    JsonNode probe(Review review) throws Exception {
        validator.addTemplate(template("K8sProbe", PROBE));
        validator.addConstraint(constraint("K8sProbe", "probe", "{'parameters':{'x':1}}"));
        List<Result> results = validator.review(review, EnforcementPoint.WEBHOOK);
        assertThat(results).hasSize(1);
        return results.getFirst().details();
    }

    @Nested
    class RegoInput {
        @Test
        void admissionRequestAsGoSerialisesIt() throws Exception {
            JsonNode seen = probe(Review.ofAdmissionRequest(createRequest(POD), TEAM_A));
            ObjectNode expected = createRequest(POD);
            expected.putNull("oldObject");
            expected.set("namespaceObject", TEAM_A);
            assertThat(seen.get("review")).isEqualTo(expected);
            assertThat(seen.get("parameters")).isEqualTo(Json.node("{'x':1}"));
        }

        @Test
        void emptyFieldsAreOmittedAndAbsentObjectsAreNull() throws Exception {
            ObjectNode req = Json.obj("{'uid':'u','kind':{'kind':'Pod','version':'v1'},'operation':'CREATE',"
                    + "'userInfo':{'username':'','groups':[]},'name':'','unknownField':1}");
            req.set("object", POD);
            JsonNode seen = probe(Review.ofAdmissionRequest(req, null)).get("review");
            assertThat(seen).isEqualTo(Json.node("{'uid':'u','kind':{'group':'','version':'v1','kind':'Pod'},"
                    + "'resource':{'group':'','version':'','resource':''},'operation':'CREATE','userInfo':{},"
                    + "'object':" + POD + ",'oldObject':null,'options':null,'namespaceObject':null}"));
        }

        @Test
        void deleteReviewsTheOldObject() throws Exception {
            ObjectNode req = createRequest(null);
            req.remove("object");
            req.put("operation", "DELETE");
            req.set("oldObject", POD);
            JsonNode seen = probe(Review.ofAdmissionRequest(req, TEAM_A)).get("review");
            assertThat(seen.get("object")).isEqualTo(POD);
            assertThat(seen.get("oldObject")).isEqualTo(POD);
        }

        @Test
        void deleteWithoutOldObjectIsAnError() {
            ObjectNode req = createRequest(POD);
            req.put("operation", "DELETE");
            assertThatThrownBy(() -> Review.ofAdmissionRequest(req, null))
                    .hasMessage("oldObject cannot be nil for DELETE operations");
            ObjectNode empty = createRequest(null);
            empty.remove("object");
            assertThatThrownBy(() -> Review.ofAdmissionRequest(empty, null))
                    .hasMessage("AdmissionRequest does not contain an \"object\" or \"oldObject\" to review");
        }

        @Test
        void namespacesAreClusterScopedAndHaveNoNamespaceObject() throws Exception {
            ObjectNode req = createRequest(TEAM_A);
            req.set("kind", Json.obj("{'group':'','version':'v1','kind':'Namespace'}"));
            req.put("namespace", "team-a");
            JsonNode seen = probe(Review.ofAdmissionRequest(req, TEAM_A)).get("review");
            assertThat(seen.has("namespace")).as("request.namespace is cleared (Gatekeeper #792)").isFalse();
            assertThat(seen.get("namespaceObject").isNull()).isTrue();
        }

        @Test
        void bareObjectsAreReviewedAsAuditAndGatorDo() throws Exception {
            JsonNode seen = probe(Review.ofObject(POD, null, Matcher.Source.ORIGINAL)).get("review");
            assertThat(seen).isEqualTo(Json.node("{'uid':'','kind':{'group':'','version':'v1','kind':'Pod'},"
                    + "'resource':{'group':'','version':'','resource':''},'name':'web','namespace':'team-a',"
                    + "'operation':'','userInfo':{},'object':" + POD + ",'oldObject':null,'options':null,'namespaceObject':null}"));
        }
    }

    @Nested
    class Results {
        @Test
        void messagesDetailsAndConstraint() throws Exception {
            validator.addTemplate(template("K8sRequired", REQUIRED_LABEL));
            validator.addConstraint(constraint("K8sRequired", "need-owner", "{'parameters':{'labels':['owner','team']}}"));
            List<Result> results = validator.review(Review.ofAdmissionRequest(createRequest(POD), TEAM_A), EnforcementPoint.WEBHOOK);
            assertThat(results).extracting(Result::msg).containsExactly("missing label owner", "missing label team");
            Result first = results.getFirst();
            assertThat(first.constraintKind()).isEqualTo("K8sRequired");
            assertThat(first.constraintName()).isEqualTo("need-owner");
            assertThat(first.enforcementAction()).isEqualTo("deny");
            assertThat(first.actions()).containsExactly("deny");
            assertThat(first.isDeny()).isTrue();
            assertThat(first.details()).isEqualTo(Json.node("{'missing':'owner'}"));
            assertThat(first.constraint().at("/metadata/name").asString()).isEqualTo("need-owner");
        }

        @Test
        void undefinedMsgIsDroppedDetailsDefaultAndDuplicatesCollapse() throws Exception {
            validator.addTemplate(template("K8sShapes", """
                    package k8sshapes
                    violation[{"details": {"no": "msg"}}] { true }
                    violation[{"msg": "plain"}] { true }
                    violation[{"msg": "twice"}] { true }
                    violation[{"msg": "twice"}] { 1 == 1 }
                    """));
            validator.addConstraint(constraint("K8sShapes", "s", "{}"));
            List<Result> results = validator.review(Review.ofObject(POD, null, Matcher.Source.ORIGINAL), EnforcementPoint.AUDIT);
            assertThat(results).extracting(Result::msg).containsExactly("plain", "twice");
            assertThat(results.getFirst().details()).isEqualTo(Json.node("{}"));
        }

        @Test
        void aNonStringMsgFailsTheReview() throws Exception {
            validator.addTemplate(template("K8sNumber", "package k8snumber\nviolation[{\"msg\": 7}] { true }\n"));
            validator.addConstraint(constraint("K8sNumber", "n", "{}"));
            assertThatThrownBy(() -> validator.review(Review.ofObject(POD, null, Matcher.Source.ORIGINAL), EnforcementPoint.AUDIT))
                    .isInstanceOf(ReviewException.class).hasMessageContaining("not a string");
        }

        @Test
        void evaluationErrorsBecomeViolationsWithTheConstraintsAction() throws Exception {
            validator.addTemplate(template("K8sConflict", """
                    package k8sconflict
                    x = 1 { true }
                    x = 2 { true }
                    violation[{"msg": "never"}] { x == 3 }
                    """));
            validator.addConstraint(constraint("K8sConflict", "c", "{'enforcementAction':'warn'}"));
            List<Result> results = validator.review(Review.ofObject(POD, null, Matcher.Source.ORIGINAL), EnforcementPoint.WEBHOOK);
            assertThat(results).singleElement().satisfies(r -> {
                assertThat(r.msg()).isNotBlank().doesNotContain("never");
                assertThat(r.actions()).containsExactly("warn");
            });
        }

        @Test
        void sortedByActionThenMessage() throws Exception {
            validator.addTemplate(template("K8sRequired", REQUIRED_LABEL));
            validator.addConstraint(constraint("K8sRequired", "a-warn", "{'enforcementAction':'warn','parameters':{'labels':['a']}}"));
            validator.addConstraint(constraint("K8sRequired", "b-deny", "{'parameters':{'labels':['z']}}"));
            validator.addConstraint(constraint("K8sRequired", "c-dryrun", "{'enforcementAction':'dryrun','parameters':{'labels':['b']}}"));
            validator.addConstraint(constraint("K8sRequired", "d-deny", "{'parameters':{'labels':['m']}}"));
            List<Result> results = validator.review(Review.ofObject(POD, null, Matcher.Source.ORIGINAL), EnforcementPoint.WEBHOOK);
            assertThat(results).extracting(r -> r.enforcementAction() + ":" + r.msg()).containsExactly(
                    "deny:missing label m", "deny:missing label z", "dryrun:missing label b", "warn:missing label a");
        }
    }

    @Nested
    class Selection {
        @BeforeEach
        void load() throws Exception {
            validator.addTemplate(template("K8sRequired", REQUIRED_LABEL));
        }

        List<String> names(Review review, EnforcementPoint ep) throws ReviewException {
            return validator.review(review, ep).stream().map(Result::constraintName).distinct().toList();
        }

        @Test
        void onlyMatchingConstraintsAreEvaluated() throws Exception {
            validator.addConstraint(constraint("K8sRequired", "pods", "{'match':{'kinds':[{'apiGroups':[''],'kinds':['Pod']}]},'parameters':{'labels':['x']}}"));
            validator.addConstraint(constraint("K8sRequired", "deployments", "{'match':{'kinds':[{'apiGroups':['apps'],'kinds':['Deployment']}]},'parameters':{'labels':['x']}}"));
            validator.addConstraint(constraint("K8sRequired", "other-ns", "{'match':{'namespaces':['team-b']},'parameters':{'labels':['x']}}"));
            assertThat(names(Review.ofObject(POD, null, Matcher.Source.ORIGINAL), EnforcementPoint.AUDIT)).containsExactly("pods");
        }

        @Test
        void scopedActionsDecideWhereAConstraintRuns() throws Exception {
            validator.addConstraint(constraint("K8sRequired", "scoped", "{'enforcementAction':'scoped','scopedEnforcementActions':["
                    + "{'action':'deny','enforcementPoints':[{'name':'validation.gatekeeper.sh'}]},"
                    + "{'action':'warn','enforcementPoints':[{'name':'validation.gatekeeper.sh'}]}],'parameters':{'labels':['x']}}"));
            Review review = Review.ofAdmissionRequest(createRequest(POD), TEAM_A);
            List<Result> atWebhook = validator.review(review, EnforcementPoint.WEBHOOK);
            assertThat(atWebhook).singleElement().satisfies(r -> {
                assertThat(r.enforcementAction()).isEqualTo("scoped");
                assertThat(r.actions()).containsExactly("deny", "warn");
                assertThat(r.isDeny()).isTrue();
                assertThat(r.isWarn()).isTrue();
            });
            assertThat(validator.review(review, EnforcementPoint.AUDIT)).isEmpty();
        }

        @Test
        void templateOperationsFilterOnlyAtTheWebhook() throws Exception {
            ObjectNode t = template("K8sRequired", REQUIRED_LABEL);
            ((ObjectNode) t.at("/spec/targets/0")).putArray("operations").add("UPDATE");
            validator.addTemplate(t);
            validator.addConstraint(constraint("K8sRequired", "c", "{'parameters':{'labels':['x']}}"));
            Review create = Review.ofAdmissionRequest(createRequest(POD), TEAM_A);
            assertThat(validator.review(create, EnforcementPoint.WEBHOOK)).isEmpty();
            assertThat(validator.review(create, EnforcementPoint.AUDIT)).hasSize(1);
            ObjectNode update = createRequest(POD);
            update.put("operation", "UPDATE");
            update.set("oldObject", POD);
            assertThat(validator.review(Review.ofAdmissionRequest(update, TEAM_A), EnforcementPoint.WEBHOOK)).hasSize(1);
        }

        @Test
        void aMissingNamespaceForANamespaceSelectorIsAnAutorejection() throws Exception {
            validator.addConstraint(constraint("K8sRequired", "prod", "{'enforcementAction':'dryrun',"
                    + "'match':{'namespaceSelector':{'matchLabels':{'env':'prod'}}},'parameters':{'labels':['app']}}"));
            List<Result> results = validator.review(Review.ofObject(POD, null, Matcher.Source.ORIGINAL), EnforcementPoint.AUDIT);
            assertThat(results).singleElement().satisfies(r -> {
                assertThat(r.msg()).isEqualTo("unable to match constraints: error matching the requested object: web "
                        + ":failed to run Match criteria: namespace selector for namespace-scoped object but missing Namespace");
                assertThat(r.actions()).containsExactly("dryrun");
            });
        }

        @Test
        void syncedNamespacesResolveTheNamespaceForMatching() throws Exception {
            validator.addConstraint(constraint("K8sRequired", "prod", "{'match':{'namespaceSelector':{'matchLabels':{'env':'prod'}}},"
                    + "'parameters':{'labels':['owner']}}"));
            validator.addData(TEAM_A);
            assertThat(validator.review(Review.ofObject(POD, null, Matcher.Source.ORIGINAL), EnforcementPoint.AUDIT))
                    .extracting(Result::msg).containsExactly("missing label owner");
            ObjectNode dev = TEAM_A.deepCopy();
            ((ObjectNode) dev.at("/metadata/labels")).put("env", "dev");
            validator.addData(dev);
            assertThat(validator.review(Review.ofObject(POD, null, Matcher.Source.ORIGINAL), EnforcementPoint.AUDIT)).isEmpty();
        }
    }

    @Nested
    class Inventory {
        static final String UNIQUE_NAME = """
                package k8suniquename
                violation[{"msg": msg}] {
                  other := data.inventory.namespace[ns]["v1"]["Pod"][name]
                  name == input.review.object.metadata.name
                  ns != input.review.object.metadata.namespace
                  msg := sprintf("name %v also used in %v", [name, ns])
                }
                """;

        @Test
        void templatesSeeTheInventoryAsItChanges() throws Exception {
            validator.addTemplate(template("K8sUniqueName", UNIQUE_NAME));
            validator.addConstraint(constraint("K8sUniqueName", "u", "{}"));
            Review review = Review.ofObject(POD, null, Matcher.Source.ORIGINAL);
            assertThat(validator.review(review, EnforcementPoint.AUDIT)).isEmpty();

            ObjectNode twin = POD.deepCopy();
            ((ObjectNode) twin.get("metadata")).put("namespace", "team-b");
            validator.addData(twin);
            assertThat(validator.review(review, EnforcementPoint.AUDIT)).extracting(Result::msg)
                    .containsExactly("name web also used in team-b");

            assertThat(validator.removeData(twin)).isTrue();
            assertThat(validator.review(review, EnforcementPoint.AUDIT)).isEmpty();
        }

        @Test
        void inventoryLayout() throws Exception {
            validator.addData(TEAM_A);
            validator.addData(POD);
            validator.addData(Json.obj("{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'d','namespace':'team-a'}}"));
            JsonNode data = validator.inventory().snapshot().data();
            assertThat(data.at("/inventory/cluster/v1/Namespace/team-a")).isEqualTo(TEAM_A);
            assertThat(data.at("/inventory/namespace/team-a/v1/Pod/web")).isEqualTo(POD);
            assertThat(data.at("/inventory/namespace/team-a/apps~1v1/Deployment/d").isObject()).isTrue();
            assertThatThrownBy(() -> validator.addData(Json.obj("{'kind':'Pod','metadata':{'name':'x'}}")))
                    .hasMessage("resource x has no version");
            assertThatThrownBy(() -> validator.addData(Json.obj("{'apiVersion':'v1','metadata':{'name':'x'}}")))
                    .hasMessage("resource x has no kind");
        }
    }

    @Nested
    class Lifecycle {
        @Test
        void aConstraintNeedsItsTemplate() {
            assertThatThrownBy(() -> validator.addConstraint(constraint("K8sMissing", "m", "{}")))
                    .hasMessage("missing ConstraintTemplate: template \"k8smissing\" not found");
        }

        @Test
        void removingATemplateRemovesItsConstraints() throws Exception {
            validator.addTemplate(template("K8sRequired", REQUIRED_LABEL));
            validator.addConstraint(constraint("K8sRequired", "c", "{'parameters':{'labels':['x']}}"));
            assertThat(validator.removeTemplate("k8srequired")).isTrue();
            assertThat(validator.constraints()).isEmpty();
            assertThat(validator.review(Review.ofObject(POD, null, Matcher.Source.ORIGINAL), EnforcementPoint.AUDIT)).isEmpty();
            assertThat(validator.removeTemplate("k8srequired")).isFalse();
        }

        @Test
        void aFailedUpdateKeepsTheOldTemplate() throws Exception {
            validator.addTemplate(template("K8sRequired", REQUIRED_LABEL));
            validator.addConstraint(constraint("K8sRequired", "c", "{'parameters':{'labels':['x']}}"));
            assertThatThrownBy(() -> validator.addTemplate(template("K8sRequired", "package k8srequired\nviolation[{\"msg\": m}] { true }\n")))
                    .isInstanceOf(InvalidTemplateException.class);
            assertThat(validator.review(Review.ofObject(POD, null, Matcher.Source.ORIGINAL), EnforcementPoint.AUDIT)).hasSize(1);
        }

        @Test
        void removingAConstraint() throws Exception {
            validator.addTemplate(template("K8sRequired", REQUIRED_LABEL));
            validator.addConstraint(constraint("K8sRequired", "c", "{'parameters':{'labels':['x']}}"));
            assertThat(validator.removeConstraint("K8sRequired", "c")).isTrue();
            assertThat(validator.removeConstraint("K8sRequired", "c")).isFalse();
            assertThat(validator.review(Review.ofObject(POD, null, Matcher.Source.ORIGINAL), EnforcementPoint.AUDIT)).isEmpty();
        }

        @Test
        void reviewsRunConcurrentlyWithChanges() throws Exception {
            validator.addTemplate(template("K8sRequired", REQUIRED_LABEL));
            validator.addConstraint(constraint("K8sRequired", "c", "{'parameters':{'labels':['x']}}"));
            Review review = Review.ofAdmissionRequest(createRequest(POD), TEAM_A);
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<Integer>> futures = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    futures.add(pool.submit(() -> validator.review(review, EnforcementPoint.WEBHOOK).size()));
                }
                for (int i = 0; i < 20; i++) {
                    validator.addConstraint(constraint("K8sRequired", "extra-" + i, "{'parameters':{'labels':['y']}}"));
                }
                for (Future<Integer> f : futures) {
                    assertThat(f.get()).isBetween(1, 21);
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(validator.review(review, EnforcementPoint.WEBHOOK)).hasSize(21);
        }
    }
}
