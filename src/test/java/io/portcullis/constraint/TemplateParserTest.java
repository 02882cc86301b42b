package io.portcullis.constraint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portcullis.engine.RegoVersion;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

class TemplateParserTest {
    static final String REGO = "package k8sfoo\nviolation[{\"msg\": \"m\"}] { true }\n";

    static ObjectNode template(String version, String name, String kind) {
        return Json.yaml("""
                apiVersion: templates.gatekeeper.sh/%s
                kind: ConstraintTemplate
                metadata:
                  name: %s
                spec:
                  crd:
                    spec:
                      names:
                        kind: %s
                  targets:
                  - target: admission.k8s.gatekeeper.sh
                    rego: |
                      package k8sfoo
                      violation[{"msg": "m"}] { true }
                """.formatted(version, name, kind));
    }

    static InvalidTemplateException error(JsonNode template) {
        try {
            TemplateParser.parse(template, "t.yaml");
        } catch (InvalidTemplateException e) {
            return e;
        }
        throw new AssertionError("template was accepted");
    }

    @Test
    void readsAllServedVersions() throws InvalidTemplateException {
        for (String v : new String[] {"v1", "v1beta1", "v1alpha1"}) {
            ConstraintTemplate t = TemplateParser.parse(template(v, "k8sfoo", "K8sFoo"), "t.yaml");
            assertThat(t.kind()).isEqualTo("K8sFoo");
            assertThat(t.rego().rego()).isEqualTo(REGO);
            assertThat(t.rego().version()).isEqualTo(RegoVersion.V0);
            assertThat(t.origin()).isEqualTo("t.yaml");
        }
    }

    @Test
    void kindAndNameChecksWithGatekeepersWords() {
        ObjectNode noKind = template("v1", "k8sfoo", "K8sFoo");
        ((ObjectNode) noKind.at("/spec/crd/spec/names")).remove("kind");
        assertThat(error(noKind)).hasMessage("invalid ConstraintTemplate: ConstraintTemplate \"k8sfoo\" does not specify CRD Kind");
        assertThat(error(template("v1", "k8sbar", "K8sFoo"))).hasMessage(
                "invalid ConstraintTemplate: the ConstraintTemplate's name \"k8sbar\" is not equal to the lowercase of CRD's Kind: \"k8sfoo\"");
        assertThat(error(template("v1", "k8sbar", "K8sFoo")).code()).isEqualTo(InvalidTemplateException.CREATE_ERROR);
    }

    @Test
    void theKindMustMakeAValidCrdName() {
        assertThat(error(template("v1", "k8s_foo", "K8s_Foo")).getMessage()).contains("a DNS-1035 label");
    }

    @Test
    void exactlyOneKnownTarget() {
        ObjectNode two = template("v1", "k8sfoo", "K8sFoo");
        ((tools.jackson.databind.node.ArrayNode) two.at("/spec/targets")).add(two.at("/spec/targets/0").deepCopy());
        assertThat(error(two)).hasMessage("invalid ConstraintTemplate: must declare exactly one target");

        ObjectNode none = template("v1", "k8sfoo", "K8sFoo");
        ((ObjectNode) none.get("spec")).putArray("targets");
        assertThat(error(none)).hasMessage("invalid ConstraintTemplate: must declare exactly one target");

        ObjectNode empty = template("v1", "k8sfoo", "K8sFoo");
        ((ObjectNode) empty.at("/spec/targets/0")).put("target", "");
        assertThat(error(empty)).hasMessage("invalid ConstraintTemplate: target name must not be empty");

        ObjectNode other = template("v1", "k8sfoo", "K8sFoo");
        ((ObjectNode) other.at("/spec/targets/0")).put("target", "validation.example.com");
        assertThat(error(other)).hasMessage("invalid ConstraintTemplate: target \"validation.example.com\" not recognized, "
                + "known targets [admission.k8s.gatekeeper.sh]");
    }

    @Test
    void starOperationMustStandAlone() throws InvalidTemplateException {
        ObjectNode t = template("v1", "k8sfoo", "K8sFoo");
        ((ObjectNode) t.at("/spec/targets/0")).putArray("operations").add("*").add("CREATE");
        assertThat(error(t)).hasMessage("if '*' is present, must not specify other operations");

        ((ObjectNode) t.at("/spec/targets/0")).putArray("operations").add("CREATE").add("DELETE");
        ConstraintTemplate parsed = TemplateParser.parse(t, "");
        assertThat(parsed.appliesTo("DELETE")).isTrue();
        assertThat(parsed.appliesTo("UPDATE")).isFalse();
        ((ObjectNode) t.at("/spec/targets/0")).putArray("operations").add("DESTROY");
        assertThat(error(t).getMessage()).contains("Unsupported value: \"DESTROY\"");
    }

    @Test
    void legacyRegoWinsOverCodeAndIsV0() throws InvalidTemplateException {
        ObjectNode t = template("v1", "k8sfoo", "K8sFoo");
        ObjectNode code = ((ObjectNode) t.at("/spec/targets/0")).putArray("code").addObject();
        code.put("engine", "Rego");
        code.putObject("source").put("rego", "package other\nviolation contains {\"msg\": \"x\"} if true\n").put("version", "v1");
        ConstraintTemplate parsed = TemplateParser.parse(t, "");
        assertThat(parsed.rego().rego()).isEqualTo(REGO);
        assertThat(parsed.rego().version()).isEqualTo(RegoVersion.V0);
    }

    @Test
    void codeRegoWithVersionAndLibs() throws InvalidTemplateException {
        ObjectNode t = template("v1", "k8sfoo", "K8sFoo");
        ObjectNode target = (ObjectNode) t.at("/spec/targets/0");
        target.remove("rego");
        target.putArray("code").addObject().put("engine", "K8sNativeValidation").putObject("source");
        ObjectNode rego = ((tools.jackson.databind.node.ArrayNode) target.get("code")).addObject().put("engine", "Rego");
        rego.putObject("source").put("rego", "package k8sfoo\nviolation contains {\"msg\": \"x\"} if true\n")
                .put("version", "v1").putArray("libs").add("package lib.a\nx := 1\n");
        ConstraintTemplate parsed = TemplateParser.parse(t, "");
        assertThat(parsed.rego().version()).isEqualTo(RegoVersion.V1);
        assertThat(parsed.rego().libs()).containsExactly("package lib.a\nx := 1\n");
        assertThat(parsed.engines()).containsExactly("K8sNativeValidation", "Rego");

        ((ObjectNode) rego.get("source")).put("version", "v2");
        assertThat(TemplateParser.parse(t, "").rego().version()).as("anything but v1 is v0").isEqualTo(RegoVersion.V0);
    }

    @Test
    void celOnlyTemplatesParseWithoutRego() throws InvalidTemplateException {
        ObjectNode t = template("v1", "k8sfoo", "K8sFoo");
        ObjectNode target = (ObjectNode) t.at("/spec/targets/0");
        target.remove("rego");
        target.putArray("code").addObject().put("engine", "K8sNativeValidation").putObject("source");
        assertThat(TemplateParser.parse(t, "").rego()).isNull();
    }

    @Test
    void legacySchemaDefaultsPerVersion() throws InvalidTemplateException {
        String schema = "{'type':'object','properties':{'labels':{'type':'array','items':{'type':'object','properties':{'key':{'type':'string'}}}},'tags':{'type':'array'}}}";
        ObjectNode v1 = template("v1", "k8sfoo", "K8sFoo");
        ((ObjectNode) v1.at("/spec/crd/spec")).putObject("validation").set("openAPIV3Schema", Json.obj(schema));
        JsonNode strict = TemplateParser.parse(v1, "").parameters();
        assertThat(strict.has("x-kubernetes-preserve-unknown-fields")).isFalse();

        ObjectNode beta = template("v1beta1", "k8sfoo", "K8sFoo");
        ((ObjectNode) beta.at("/spec/crd/spec")).putObject("validation").set("openAPIV3Schema", Json.obj(schema));
        JsonNode legacy = TemplateParser.parse(beta, "").parameters();
        assertThat(legacy.path("x-kubernetes-preserve-unknown-fields").asBoolean()).isTrue();
        assertThat(legacy.at("/properties/labels/items/x-kubernetes-preserve-unknown-fields").asBoolean()).isTrue();
        assertThat(legacy.at("/properties/tags/items/x-kubernetes-preserve-unknown-fields").asBoolean())
                .as("array items without a schema preserve everything").isTrue();
        assertThat(legacy.at("/properties/labels/x-kubernetes-preserve-unknown-fields").isMissingNode()).isTrue();

        ObjectNode explicit = template("v1", "k8sfoo", "K8sFoo");
        ((ObjectNode) explicit.at("/spec/crd/spec")).putObject("validation").put("legacySchema", true);
        assertThat(TemplateParser.parse(explicit, "").parameters().path("x-kubernetes-preserve-unknown-fields").asBoolean())
                .as("legacySchema without a schema accepts anything").isTrue();
        assertThat(TemplateParser.parse(template("v1", "k8sfoo", "K8sFoo"), "").parameters()).isNull();
    }

    @Test
    void v1SchemasMustBeStructural() {
        ObjectNode v1 = template("v1", "k8sfoo", "K8sFoo");
        ((ObjectNode) v1.at("/spec/crd/spec")).putObject("validation")
                .set("openAPIV3Schema", Json.obj("{'type':'object','properties':{'x':{'description':'no type'}}}"));
        assertThat(error(v1)).hasMessage("invalid ConstraintTemplate: spec.validation.openAPIV3Schema.properties[spec]"
                + ".properties[parameters].properties[x].type: Required value: must not be empty for specified object fields");
    }

    @Test
    void notATemplate() {
        assertThat(error(Json.obj("{'apiVersion':'v1','kind':'Pod'}")).getMessage()).startsWith("not a ConstraintTemplate");
        assertThat(error(template("v2", "k8sfoo", "K8sFoo")).getMessage()).startsWith("not a ConstraintTemplate");
    }
}
