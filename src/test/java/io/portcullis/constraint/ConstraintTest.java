package io.portcullis.constraint;

import static io.portcullis.constraint.Engines.constraint;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

class ConstraintTest {
    static final String SCHEMA = """
            {'type':'object','properties':{
              'labels':{'type':'array','items':{'type':'object','properties':{
                  'key':{'type':'string'},'allowedRegex':{'type':'string','default':'.*'}}}},
              'message':{'type':'string','default':'labels are required'},
              'limits':{'type':'object','default':{},'properties':{'cpu':{'type':'string','default':'1'},'memory':{'type':'string'}}},
              'ratio':{'type':'integer','minimum':1},
              'mode':{'type':'string','enum':['strict','lax']},
              'note':{'type':'string','nullable':true},
              'free':{'type':'object','x-kubernetes-preserve-unknown-fields':true}}}""";
    static CompiledTemplate labels;
    static CompiledTemplate legacy;
    static CompiledTemplate noSchema;

    @BeforeAll
    static void compile() throws InvalidTemplateException {
        String rego = "package k8slabels\nviolation[{\"msg\": \"m\"}] { false }\n";
        labels = Engines.compile(Engines.template("K8sLabels", rego, null, List.of(), SCHEMA));
        ObjectNode beta = Engines.template("K8sLabels", rego, null, List.of(), "{'properties':{'labels':{'type':'array'}}}");
        beta.put("apiVersion", "templates.gatekeeper.sh/v1beta1");
        legacy = Engines.compile(beta);
        noSchema = Engines.compile(Engines.template("K8sLabels", rego, null, List.of(), null));
    }

    static InvalidConstraintException error(JsonNode constraint, CompiledTemplate template) {
        try {
            Constraint.parse(constraint, template);
        } catch (InvalidConstraintException e) {
            return e;
        }
        throw new AssertionError("constraint accepted");
    }

    @Nested
    class Defaults {
        @Test
        void parameterDefaultsAreAppliedLikeTheApiServer() throws InvalidConstraintException {
            Constraint c = Constraint.parse(constraint("K8sLabels", "c", "{'parameters':{'labels':[{'key':'owner'}]}}"), labels);
            assertThat(c.parameters()).isEqualTo(Json.node(
                    "{'labels':[{'key':'owner','allowedRegex':'.*'}],'message':'labels are required','limits':{'cpu':'1'}}"));
            assertThat(c.object().at("/spec/enforcementAction").asString()).isEqualTo("deny");
            assertThat(c.enforcement().action()).isEqualTo("deny");
        }

        @Test
        void givenValuesWin() throws InvalidConstraintException {
            Constraint c = Constraint.parse(constraint("K8sLabels", "c",
                    "{'parameters':{'message':'mine','limits':{'cpu':'2'}},'enforcementAction':'warn'}"), labels);
            assertThat(c.parameters().get("message").asString()).isEqualTo("mine");
            assertThat(c.parameters().at("/limits/cpu").asString()).isEqualTo("2");
            assertThat(c.enforcement().action()).isEqualTo("warn");
        }

        @Test
        void nullsOfNonNullableFieldsAreDroppedOrDefaulted() throws InvalidConstraintException {
            Constraint c = Constraint.parse(constraint("K8sLabels", "c",
                    "{'parameters':{'message':null,'mode':null,'note':null}}"), labels);
            assertThat(c.parameters().get("message").asString()).isEqualTo("labels are required");
            assertThat(c.parameters().has("mode")).isFalse();
            assertThat(c.parameters().get("note").isNull()).as("nullable keeps null").isTrue();
        }

        @Test
        void noParametersIsAnEmptyObjectForRego() throws InvalidConstraintException {
            Constraint c = Constraint.parse(constraint("K8sLabels", "c", "{}"), noSchema);
            assertThat(c.parameters()).isEqualTo(Json.node("{}"));
        }

        @Test
        void statusIsDropped() throws InvalidConstraintException {
            ObjectNode raw = constraint("K8sLabels", "c", "{}");
            raw.putObject("status").put("totalViolations", 3);
            assertThat(Constraint.parse(raw, noSchema).object().has("status")).isFalse();
        }
    }

    @Nested
    class SchemaValidation {
        @Test
        void typesEnumsAndBounds() {
            InvalidConstraintException e = error(constraint("K8sLabels", "c",
                    "{'parameters':{'labels':'owner','ratio':0,'mode':'loose'}}"), labels);
            assertThat(e.isSchemaError()).isTrue();
            assertThat(e.getMessage()).startsWith("schema validation failed: [")
                    .contains("spec.parameters.labels: string found, array expected")
                    .contains("spec.parameters.ratio")
                    .contains("spec.parameters.mode");
        }

        @Test
        void matchIsValidatedToo() {
            InvalidConstraintException e = error(constraint("K8sLabels", "c",
                    "{'match':{'namespaces':['Team_A'],'source':'Mine','kinds':'Pod'}}"), labels);
            assertThat(e.getMessage()).contains("spec.match.namespaces.0").contains("spec.match.source").contains("spec.match.kinds");
            assertThat(error(constraint("K8sLabels", "c", "{'match':{'name':'web.app'}}"), labels).getMessage())
                    .contains("spec.match.name");
        }

        @Test
        void nameLengthIsLimited() {
            assertThat(error(constraint("K8sLabels", "x".repeat(64), "{}"), labels).getMessage()).contains("metadata.name");
        }

        @Test
        void unknownFieldsAreRejected() {
            assertThat(error(constraint("K8sLabels", "c", "{'parameters':{'other':1,'limits':{'gpu':'1'}}}"), labels))
                    .hasMessage("invalid Constraint: unknown fields: [spec.parameters.other spec.parameters.limits.gpu]");
            assertThat(error(constraint("K8sLabels", "c", "{'match':{'kind':[]}}"), labels))
                    .hasMessage("invalid Constraint: unknown fields: [spec.match.kind]");
            assertThat(error(constraint("K8sLabels", "c", "{'parameters':{'x':1}}"), noSchema))
                    .as("a v1 template without a schema takes no parameters")
                    .hasMessage("invalid Constraint: unknown fields: [spec.parameters]");
        }

        @Test
        void preservedFieldsAndLegacySchemasAcceptAnything() throws InvalidConstraintException {
            Constraint.parse(constraint("K8sLabels", "c", "{'parameters':{'free':{'a':{'b':1}}}}"), labels);
            Constraint c = Constraint.parse(constraint("K8sLabels", "c",
                    "{'parameters':{'labels':[{'key':'a','x':1}],'anything':{'goes':true}}}"), legacy);
            assertThat(c.parameters().at("/anything/goes").asBoolean()).isTrue();
        }
    }

    @Nested
    class Identity {
        @Test
        void nameKindGroupAndVersion() {
            assertThat(error(constraint("K8sLabels", "Bad_Name", "{}"), labels).getMessage())
                    .startsWith("invalid Constraint: invalid name: \"a lowercase RFC 1123 subdomain");
            assertThat(error(constraint("K8sOther", "c", "{}"), labels))
                    .hasMessage("invalid Constraint: wrong kind \"K8sOther\" for constraint \"c\"; want \"K8sLabels\"");
            ObjectNode group = constraint("K8sLabels", "c", "{}");
            group.put("apiVersion", "example.com/v1beta1");
            assertThat(error(group, labels)).hasMessage("invalid Constraint: unsupported group \"example.com\" for constraint "
                    + "\"c\"; allowed group: \"constraints.gatekeeper.sh\"");
            ObjectNode v1 = constraint("K8sLabels", "c", "{}");
            v1.put("apiVersion", "constraints.gatekeeper.sh/v1");
            assertThat(error(v1, labels)).hasMessage("invalid Constraint: unsupported version \"v1\" for Constraint \"c\"; "
                    + "supported versions: map[v1alpha1:true v1beta1:true]");
        }

        @Test
        void v1alpha1IsServed() throws InvalidConstraintException {
            ObjectNode alpha = constraint("K8sLabels", "c", "{}");
            alpha.put("apiVersion", "constraints.gatekeeper.sh/v1alpha1");
            assertThat(Constraint.parse(alpha, labels).name()).isEqualTo("c");
        }

        @Test
        void invalidSelectors() {
            assertThat(error(constraint("K8sLabels", "c",
                    "{'match':{'namespaceSelector':{'matchExpressions':[{'key':'a','operator':'In','values':[]}]}}}"), labels))
                    .hasMessage("spec.labelSelector.matchExpressions[0].values: Required value: must be specified when "
                            + "`operator` is 'In' or 'NotIn'");
        }
    }

    @Nested
    class EnforcementActions {
        Enforcement parse(String spec) throws InvalidConstraintException {
            return Constraint.parse(constraint("K8sLabels", "c", spec), labels).enforcement();
        }

        @Test
        void plainActionsApplyAtEveryPoint() throws InvalidConstraintException {
            for (String action : List.of("deny", "dryrun", "warn")) {
                Enforcement e = parse("{'enforcementAction':'" + action + "'}");
                for (EnforcementPoint ep : EnforcementPoint.values()) {
                    assertThat(e.actionsAt(ep)).containsExactly(action);
                }
            }
            assertThat(parse("{'enforcementAction':''}").action()).isEqualTo("deny");
        }

        @Test
        void unknownActionIsRejected() {
            assertThat(error(constraint("K8sLabels", "c", "{'enforcementAction':'block'}"), labels)).hasMessage(
                    "unrecognized enforcementAction: \"block\" is not within the supported list [deny dryrun warn scoped]");
        }

        @Test
        void scopedActionsPerEnforcementPoint() throws InvalidConstraintException {
            Enforcement e = parse("{'enforcementAction':'scoped','scopedEnforcementActions':["
                    + "{'action':'deny','enforcementPoints':[{'name':'validation.gatekeeper.sh'}]},"
                    + "{'action':'warn','enforcementPoints':[{'name':'*'}]},"
                    + "{'action':'dryrun','enforcementPoints':[{'name':'audit.gatekeeper.sh'}]}]}");
            assertThat(e.actionsAt(EnforcementPoint.WEBHOOK)).containsExactly("deny", "warn");
            assertThat(e.actionsAt(EnforcementPoint.AUDIT)).containsExactly("warn", "dryrun");
            assertThat(e.actionsAt(EnforcementPoint.GATOR)).containsExactly("warn");

            Enforcement auditOnly = parse("{'enforcementAction':'scoped','scopedEnforcementActions':["
                    + "{'action':'deny','enforcementPoints':[{'name':'audit.gatekeeper.sh'}]}]}");
            assertThat(auditOnly.actionsAt(EnforcementPoint.WEBHOOK)).as("not evaluated at the webhook").isEmpty();
        }

        @Test
        void scopedIsIgnoredUnlessTheActionIsScoped() throws InvalidConstraintException {
            Enforcement e = parse("{'enforcementAction':'warn','scopedEnforcementActions':["
                    + "{'action':'deny','enforcementPoints':[{'name':'*'}]}]}");
            assertThat(e.actionsAt(EnforcementPoint.WEBHOOK)).containsExactly("warn");
        }

        @Test
        void scopedErrors() {
            assertThat(error(constraint("K8sLabels", "c", "{'enforcementAction':'scoped'}"), labels))
                    .hasMessage("error fetching scopedEnforcementActions: scopedEnforcementActions is required");
            assertThat(error(constraint("K8sLabels", "c", "{'enforcementAction':'scoped','scopedEnforcementActions':["
                    + "{'action':'deny','enforcementPoints':[{'name':'kubectl'}]}]}"), labels).getMessage())
                    .startsWith("unrecognized enforcement points: constraint will not be enforced for enforcement points [kubectl], "
                            + "supported enforcement points are [* validation.gatekeeper.sh audit.gatekeeper.sh gator.gatekeeper.sh vap.k8s.io]");
            assertThat(error(constraint("K8sLabels", "c", "{'enforcementAction':'scoped','scopedEnforcementActions':["
                    + "{'action':'block','enforcementPoints':[{'name':'*'}]}]}"), labels))
                    .hasMessage("unrecognized enforcementAction: [block] is not within the supported list [deny dryrun warn]");
            assertThat(error(constraint("K8sLabels", "c", "{'enforcementAction':'scoped','scopedEnforcementActions':["
                    + "{'action':'deny','enforcementPoints':[]}]}"), labels).getMessage()).contains("enforcementPoints must be non-empty");
        }
    }
}
