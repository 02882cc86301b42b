package io.portcullis.kube;

import static io.portcullis.kube.MockCluster.yaml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Template → ValidatingAdmissionPolicy and constraint → binding, as Gatekeeper 3.23's transform writes them. */
class VapTransformTest {
    static final String PRIVILEGED_TEMPLATE = """
            apiVersion: templates.gatekeeper.sh/v1
            kind: ConstraintTemplate
            metadata:
              name: k8spspprivilegedcontainer
              uid: 6f1c0a52-0000-4000-8000-000000000001
            spec:
              crd:
                spec:
                  names:
                    kind: K8sPSPPrivilegedContainer
              targets:
                - target: admission.k8s.gatekeeper.sh
                  code:
                    - engine: K8sNativeValidation
                      source:
                        variables:
                          - name: containers
                            expression: 'has(variables.anyObject.spec.containers) ? variables.anyObject.spec.containers : []'
                        validations:
                          - expression: '!variables.containers.exists(c, has(c.securityContext) && has(c.securityContext.privileged) && c.securityContext.privileged)'
                            messageExpression: '"Privileged container is not allowed"'
                  rego: |
                    package k8spspprivileged
                    violation[{"msg": "privileged"}] {
                      input.review.object.spec.containers[_].securityContext.privileged
                    }
            """;

    static ObjectNode template(String yaml) {
        return MockCluster.yaml(yaml);
    }

    static ObjectNode source(ObjectNode template) {
        return (ObjectNode) template.at("/spec/targets/0/code/0/source");
    }

    @Test
    void aTemplateWithCelCodeBecomesAPolicyWhoseParametersAreItsConstraints() throws Exception {
        JsonNode policy = VapTransform.policy(template(PRIVILEGED_TEMPLATE));

        assertThat(policy.path("apiVersion").asString()).isEqualTo("admissionregistration.k8s.io/v1");
        assertThat(policy.path("kind").asString()).isEqualTo("ValidatingAdmissionPolicy");
        assertThat(policy.at("/metadata/name").asString()).isEqualTo("gatekeeper-k8spspprivilegedcontainer");
        JsonNode owner = policy.at("/metadata/ownerReferences/0");
        assertThat(owner.path("kind").asString()).isEqualTo("ConstraintTemplate");
        assertThat(owner.path("apiVersion").asString()).isEqualTo("templates.gatekeeper.sh/v1");
        assertThat(owner.path("uid").asString()).isEqualTo("6f1c0a52-0000-4000-8000-000000000001");
        assertThat(owner.path("controller").asBoolean()).isTrue();

        JsonNode spec = policy.path("spec");
        assertThat(spec.at("/paramKind/apiVersion").asString()).isEqualTo("constraints.gatekeeper.sh/v1beta1");
        assertThat(spec.at("/paramKind/kind").asString()).isEqualTo("K8sPSPPrivilegedContainer");
        assertThat(spec.at("/matchConstraints/resourceRules/0/operations").toString()).isEqualTo("[\"CREATE\",\"UPDATE\"]");
        assertThat(spec.at("/matchConstraints/resourceRules/0/resources").toString()).isEqualTo("[\"*\"]");
        assertThat(names(spec.path("matchConditions"))).containsExactly("gatekeeper_internal_match_excluded_namespaces",
                "gatekeeper_internal_match_namespaces", "gatekeeper_internal_match_name", "gatekeeper_internal_match_kinds");
        assertThat(spec.at("/matchConditions/3/expression").asString()).contains("request.kind.kind in groupskinds.kinds");
        // Gatekeeper's two variables first, then the template's.
        assertThat(names(spec.path("variables"))).containsExactly("anyObject", "params", "containers");
        assertThat(spec.at("/validations/0/messageExpression").asString()).isEqualTo("\"Privileged container is not allowed\"");
        assertThat(spec.at("/validations/0").has("message")).isFalse();
        assertThat(spec.path("failurePolicy").asString()).isEqualTo("Fail");
    }

    @Test
    void theTemplatesMatchConditionsComeFirstAndItsFailurePolicyIsKept() throws Exception {
        ObjectNode template = template(PRIVILEGED_TEMPLATE);
        source(template).put("failurePolicy", "Ignore").putArray("matchCondition").addObject()
                .put("name", "not-kube-system").put("expression", "object.metadata.namespace != 'kube-system'");

        JsonNode spec = VapTransform.policy(template).path("spec");

        assertThat(spec.path("failurePolicy").asString()).isEqualTo("Ignore");
        assertThat(names(spec.path("matchConditions"))).hasSize(5).startsWith("not-kube-system");
    }

    @Test
    void generateVapDecidesAndTheDefaultAppliesWhenItIsUnset() throws Exception {
        ObjectNode template = template(PRIVILEGED_TEMPLATE);
        assertThat(VapTransform.generatesPolicy(template, true)).isTrue();
        assertThat(VapTransform.generatesPolicy(template, false)).isFalse();
        source(template).put("generateVAP", false);
        assertThat(VapTransform.generatesPolicy(template, true)).isFalse();
        source(template).put("generateVAP", true);
        assertThat(VapTransform.generatesPolicy(template, false)).isTrue();
    }

    @Test
    void aTemplateWithoutCelCodeOrWithReservedNamesIsRefusedInGatekeepersWords() {
        ObjectNode regoOnly = template(PRIVILEGED_TEMPLATE);
        ((tools.jackson.databind.node.ArrayNode) regoOnly.at("/spec/targets/0/code")).remove(0);
        assertThatThrownBy(() -> VapTransform.policy(regoOnly)).isInstanceOf(VapTransform.NoCelCode.class)
                .hasMessage("K8sNativeValidation engine is missing");

        ObjectNode reservedVariable = template(PRIVILEGED_TEMPLATE);
        source(reservedVariable).withArray("variables").addObject().put("name", "params").put("expression", "1");
        assertThatThrownBy(() -> VapTransform.generatesPolicy(reservedVariable, true))
                .hasMessage("invalid variable definition: params an invalid variable name, \"params\" is a reserved keyword");

        ObjectNode reservedCondition = template(PRIVILEGED_TEMPLATE);
        source(reservedCondition).putArray("matchCondition").addObject().put("name", "gatekeeper_internal_x")
                .put("expression", "true");
        assertThatThrownBy(() -> VapTransform.policy(reservedCondition)).hasMessageContaining(
                "gatekeeper_internal_x is not a valid match condition; cannot have \"gatekeeper_internal_\" as a prefix");

        ObjectNode badPolicy = template(PRIVILEGED_TEMPLATE);
        source(badPolicy).put("failurePolicy", "Sometimes");
        assertThatThrownBy(() -> VapTransform.policy(badPolicy))
                .hasMessage("invalid failure policy: unrecognized failure policy: Sometimes");

        ObjectNode twoTargets = template(PRIVILEGED_TEMPLATE);
        twoTargets.withArray("/spec/targets").add(twoTargets.at("/spec/targets/0").deepCopy());
        assertThatThrownBy(() -> VapTransform.policy(twoTargets))
                .hasMessage("wrong number of targets defined, only 1 target allowed");
    }

    static final String CONSTRAINT = """
            apiVersion: constraints.gatekeeper.sh/v1beta1
            kind: K8sPSPPrivilegedContainer
            metadata:
              name: no-privileged
              uid: 6f1c0a52-0000-4000-8000-000000000002
            spec:
              match:
                kinds:
                  - apiGroups: [""]
                    kinds: [Pod]
                labelSelector:
                  matchLabels: {tier: web}
                namespaceSelector:
                  matchExpressions:
                    - {key: env, operator: In, values: [prod]}
            """;

    @Test
    void aConstraintBecomesABindingOfItsTemplatesPolicyWithItsSelectorsAndAction() throws Exception {
        ObjectNode constraint = yaml(CONSTRAINT);
        List<String> actions = VapTransform.bindingActions(constraint, true);
        assertThat(actions).containsExactly("deny");

        JsonNode binding = VapTransform.binding(constraint, actions);

        assertThat(binding.path("kind").asString()).isEqualTo("ValidatingAdmissionPolicyBinding");
        assertThat(binding.at("/metadata/name").asString()).isEqualTo("gatekeeper-k8spspprivilegedcontainer-no-privileged");
        assertThat(binding.at("/metadata/ownerReferences/0/kind").asString()).isEqualTo("K8sPSPPrivilegedContainer");
        assertThat(binding.at("/metadata/ownerReferences/0/apiVersion").asString()).isEqualTo("constraints.gatekeeper.sh/v1beta1");
        assertThat(binding.at("/metadata/ownerReferences/0/uid").asString()).isEqualTo("6f1c0a52-0000-4000-8000-000000000002");
        JsonNode spec = binding.path("spec");
        assertThat(spec.path("policyName").asString()).isEqualTo("gatekeeper-k8spspprivilegedcontainer");
        assertThat(spec.at("/paramRef/name").asString()).isEqualTo("no-privileged");
        assertThat(spec.at("/paramRef/parameterNotFoundAction").asString()).isEqualTo("Allow");
        assertThat(spec.at("/matchResources/objectSelector/matchLabels/tier").asString()).isEqualTo("web");
        assertThat(spec.at("/matchResources/namespaceSelector/matchExpressions/0/key").asString()).isEqualTo("env");
        assertThat(spec.path("validationActions").toString()).isEqualTo("[\"Deny\"]");
    }

    @Test
    void enforcementActionsMapToValidationActionsAndScopedOnesToTheirVapEntries() throws Exception {
        ObjectNode constraint = yaml(CONSTRAINT);
        constraint.withObject("spec").put("enforcementAction", "dryrun");
        assertThat(VapTransform.binding(constraint, VapTransform.bindingActions(constraint, true))
                .at("/spec/validationActions").toString()).isEqualTo("[\"Audit\"]");
        assertThat(VapTransform.bindingActions(constraint, false)).as("no binding unless asked").isEmpty();

        ObjectNode spec = constraint.withObject("spec").put("enforcementAction", "scoped");
        spec.set("scopedEnforcementActions", yaml("""
                list:
                  - action: warn
                    enforcementPoints: [{name: vap.k8s.io}]
                  - action: deny
                    enforcementPoints: [{name: validation.gatekeeper.sh}]
                  - action: dryrun
                    enforcementPoints: [{name: "*"}]
                """).get("list"));
        List<String> actions = VapTransform.bindingActions(constraint, false);
        assertThat(actions).as("scoped entries apply whatever the default").containsExactly("warn", "dryrun");
        assertThat(VapTransform.binding(constraint, actions).at("/spec/validationActions").toString())
                .isEqualTo("[\"Warn\",\"Audit\"]");

        assertThatThrownBy(() -> VapTransform.binding(constraint, List.of("block"))).hasMessage(
                "invalid enforcement action: unrecognized enforcement action block, must be `warn`, `deny` or `dryrun`");
    }

    @Test
    void longBindingNamesAreShortenedWithAHashAsGatekeeperDoes() {
        String name = VapTransform.bindingName("K8sPSPPrivilegedContainer", "c".repeat(260));
        assertThat(name).hasSize(253).startsWith("gatekeeper-k8spspprivilegedcontainer-ccc").matches(".*-[0-9a-f]{8}");
        assertThat(VapTransform.bindingName("K8sPSPPrivilegedContainer", "c".repeat(260))).isEqualTo(name);
    }

    static List<String> names(JsonNode array) {
        List<String> names = new ArrayList<>();
        array.forEach(n -> names.add(n.path("name").asString()));
        return names;
    }
}
