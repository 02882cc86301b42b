package io.portcullis.constraint;

import static io.portcullis.constraint.Engines.compile;
import static io.portcullis.constraint.Engines.template;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portcullis.engine.CompileError;
import io.portcullis.match.Matcher;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

class TemplateCompilerTest {
    static final String OK = "package k8sfoo\nviolation[{\"msg\": \"m\"}] { true }\n";

    static InvalidTemplateException error(ObjectNode template) {
        try {
            compile(template);
        } catch (InvalidTemplateException e) {
            assertThat(e.code()).isEqualTo(InvalidTemplateException.INGEST_ERROR);
            return e;
        }
        throw new AssertionError("template compiled");
    }

    @Test
    void compilesOnceAndCaches() throws InvalidTemplateException {
        CompiledTemplate a = compile(template("K8sFoo", OK));
        CompiledTemplate b = compile(template("K8sFoo", OK));
        assertThat(a.policy()).isSameAs(b.policy());
        assertThat(a.usesInventory()).isFalse();
    }

    @Test
    void violationIsRequired() {
        assertThat(error(template("K8sFoo", "package k8sfoo\ndeny[{\"msg\": \"m\"}] { true }\n"))).hasMessage(
                "invalid ConstraintTemplate: invalid rego: invalid module: missing required rules: [violation]");
    }

    @Test
    void violationMustBeAPartialSet() {
        assertThat(error(template("K8sFoo", "package k8sfoo\nviolation = [{\"msg\": \"m\"}]\n")).getMessage())
                .contains("violation must be a partial set rule");
        assertThat(error(template("K8sFoo", "package k8sfoo\nviolation(x) = y { y := x }\n")).getMessage())
                .contains("violation must be a partial set rule");
        // In Rego v1 "violation[x] if" is an object rule whose values are true: it would never report anything.
        InvalidTemplateException v1 = error(template("K8sFoo",
                "package k8sfoo\nviolation[{\"msg\": \"m\"}] if { true }\n", "v1", List.of(), null));
        assertThat(v1.getMessage()).contains("violation must be a partial set rule").contains("violation contains");
        assertThat(v1.errors()).extracting(CompileError::line).containsExactly(2);
    }

    @Test
    void regoV1WithContainsCompiles() throws InvalidTemplateException {
        compile(template("K8sFoo", "package k8sfoo\nviolation contains {\"msg\": msg} if { msg := \"m\" }\n", "v1", List.of(), null));
    }

    @Test
    void libsMustLiveUnderLib() {
        assertThat(error(template("K8sFoo", OK, null, List.of("package helpers\nx := 1\n"), null)))
                .hasMessage("invalid ConstraintTemplate: invalid lib prefix: path data.helpers not found in lib prefixes");
        assertThat(error(template("K8sFoo", OK, null, List.of("package lib\nx := 1\n"), null)))
                .hasMessage("invalid ConstraintTemplate: invalid lib prefix: path data.lib not found in lib prefixes");
    }

    @Test
    void libsAreCallable() throws InvalidTemplateException {
        compile(template("K8sFoo", "package k8sfoo\nimport data.lib.helpers.name\n"
                + "violation[{\"msg\": name}] { data.lib.helpers.ok }\n", null,
                List.of("package lib.helpers\nname := \"n\"\nok { true }\n"), null));
    }

    @Test
    void onlyLibAndFutureImports() throws InvalidTemplateException {
        assertThat(error(template("K8sFoo", "package k8sfoo\nimport input.review\n" + OK.substring(OK.indexOf('\n') + 1))))
                .hasMessage("invalid ConstraintTemplate: invalid import: cannot import input: \"input.review\"");
        assertThat(error(template("K8sFoo", "package k8sfoo\nimport data.other\n" + OK.substring(OK.indexOf('\n') + 1))))
                .hasMessage("invalid ConstraintTemplate: invalid import: bad import: \"data.other\"");
        assertThat(error(template("K8sFoo", "package k8sfoo\nimport rego.v1\nviolation contains {\"msg\": \"m\"} if true\n")))
                .hasMessage("invalid ConstraintTemplate: invalid import: bad import: \"rego.v1\"");
        compile(template("K8sFoo", "package k8sfoo\nimport future.keywords.in\nviolation[{\"msg\": \"m\"}] { 1 in [1] }\n"));
    }

    @Test
    void dataReferencesOnlyToLibAndInventory() throws InvalidTemplateException {
        InvalidTemplateException e = error(template("K8sFoo",
                "package k8sfoo\nviolation[{\"msg\": \"m\"}] { data.k8sfoo.x; data[y] }\nx := 1\n"));
        assertThat(e).hasMessage("invalid ConstraintTemplate: invalid data references: check refs failed on module "
                + "test.yaml/k8sfoo.rego: disallowed ref data.k8sfoo.x, disallowed ref data[y]");
        assertThat(e.errors()).extracting(CompileError::line).containsExactly(2);

        CompiledTemplate inventory = compile(template("K8sFoo",
                "package k8sfoo\nviolation[{\"msg\": \"m\"}] { data.inventory.cluster[\"v1\"].Namespace[_] }\n"));
        assertThat(inventory.usesInventory()).isTrue();
        // Strings, comments and fields named data are no references.
        CompiledTemplate plain = compile(template("K8sFoo",
                "package k8sfoo\n# data.secret\nviolation[{\"msg\": \"data.x\"}] { input.review.object.data.x }\n"));
        assertThat(plain.usesInventory()).isFalse();
    }

    @Test
    void libsFollowTheSameRules() {
        assertThat(error(template("K8sFoo", OK, null, List.of("package lib.a\nx := data.other.y\n"), null)).getMessage())
                .contains("check refs failed on module test.yaml/k8sfoo.lib0.rego: disallowed ref data.other.y");
    }

    @Test
    void httpSendIsDisabled() {
        InvalidTemplateException e = error(template("K8sFoo", "package k8sfoo\nviolation[{\"msg\": \"m\"}] {\n"
                + "  r := http.send({\"method\": \"get\", \"url\": \"https://example.com\"})\n  r.status_code != 200\n}\n"));
        assertThat(e.getMessage()).contains("undefined function http.send");
        assertThat(e.errors()).singleElement().satisfies(err -> {
            assertThat(err.module()).isEqualTo("test.yaml/k8sfoo.rego");
            assertThat(err.line()).isEqualTo(3);
            assertThat(err.column()).isEqualTo(8);
        });
    }

    @Test
    void syntaxErrorsSayFileLineAndColumn() {
        InvalidTemplateException e = error(template("K8sFoo", "package k8sfoo\n\nviolation[{\"msg\": m}] {\n  m := \n}\n"));
        assertThat(e.errors()).isNotEmpty();
        CompileError first = e.errors().getFirst();
        assertThat(first.module()).isEqualTo("test.yaml/k8sfoo.rego");
        assertThat(first.line()).isGreaterThanOrEqualTo(4);
        assertThat(first.code()).isEqualTo("rego_parse_error");
        assertThat(e.getMessage()).startsWith("invalid ConstraintTemplate: test.yaml/k8sfoo.rego:");
    }

    @Test
    void compileErrorsSayWhereToo() {
        InvalidTemplateException e = error(template("K8sFoo", "package k8sfoo\nviolation[{\"msg\": m}] {\n  x := 1\n}\n"));
        assertThat(e.getMessage()).startsWith("invalid ConstraintTemplate: unable to compile modules: ");
        assertThat(e.errors()).anySatisfy(err -> {
            assertThat(err.code()).isEqualTo("rego_unsafe_var_error");
            assertThat(err.module()).isEqualTo("test.yaml/k8sfoo.rego");
            assertThat(err.line()).isEqualTo(2);
        });
    }

    @Test
    void unreadableSourceIsLeftToOpa() {
        InvalidTemplateException e = error(template("K8sFoo", "package k8sfoo\nviolation[{\"msg\": \"unterminated}] { true }\n"));
        assertThat(e.errors()).isNotEmpty();
        assertThat(e.errors().getFirst().code()).isEqualTo("rego_parse_error");
    }

    @Test
    void celOnlyTemplatesHaveNoDriverWhenTheCelDriverIsOff() throws InvalidTemplateException {
        ObjectNode t = celOnly("variables.anyObject.metadata.name != 'bad'");
        TemplateCompiler withoutCel = new TemplateCompiler(Engines.ENGINE, false);
        assertThatThrownBy(() -> withoutCel.compile(TemplateParser.parse(t, "")))
                .isInstanceOf(InvalidTemplateException.class)
                .hasMessage("no language driver is installed that handles this constraint template: available drivers: "
                        + "map[Rego:1], wanted \"\"");
    }

    @Test
    void celOnlyTemplatesRunOnTheCelDriver() throws Exception {
        Validator validator = new Validator(Engines.COMPILER);
        validator.addTemplate(celOnly("variables.anyObject.metadata.name != 'bad'"));
        validator.addConstraint(Engines.constraint("K8sFoo", "no-bad", "{}"));
        assertThat(validator.template("K8sFoo").orElseThrow().driver()).isEqualTo("K8sNativeValidation");
        assertThat(validator.review(Review.ofObject(Json.obj("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'bad'}}"),
                null, Matcher.Source.ORIGINAL), EnforcementPoint.AUDIT)).extracting(Result::msg)
                .containsExactly("failed expression: variables.anyObject.metadata.name != 'bad'");
        assertThat(validator.review(Review.ofObject(Json.obj("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'ok'}}"),
                null, Matcher.Source.ORIGINAL), EnforcementPoint.AUDIT)).isEmpty();
    }

    @Test
    void celCompileErrorsAreTemplateErrorsWithThePosition() {
        InvalidTemplateException e = error(celOnly("variables.anyObject.metadata.name == "));
        assertThat(e.getMessage()).contains("spec.targets[0].code[0].source.validations[0].expression: compilation failed: "
                + "ERROR: <input>:1:");
        InvalidTemplateException undefined = error(celOnly("variables.nope == 1"));
        assertThat(undefined.getMessage()).contains("compilation failed: ERROR: <input>:1:10: undefined field 'nope'");
    }

    /** A template whose only code is one CEL validation. */
    static ObjectNode celOnly(String expression) {
        ObjectNode t = template("K8sFoo", OK);
        ObjectNode code = (ObjectNode) t.at("/spec/targets/0/code/0");
        code.put("engine", "K8sNativeValidation");
        code.putObject("source").putArray("validations").addObject().put("expression", expression);
        return t;
    }

    @Test
    void printStatementsAreStripped() throws Exception {
        Validator validator = new Validator(Engines.COMPILER);
        validator.addTemplate(template("K8sPrint", "package k8sprint\nviolation[{\"msg\": \"m\"}] { print(\"hello\"); true }\n"));
        validator.addConstraint(Engines.constraint("K8sPrint", "p", "{}"));
        assertThat(validator.review(Review.ofObject(Json.obj("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'x'}}"), null,
                Matcher.Source.ORIGINAL), EnforcementPoint.AUDIT)).extracting(Result::msg).containsExactly("m");
    }

    @Test
    void theHookSelectsEachTemplatesPackageAndItsConstraints() {
        String hook = BatchHook.module(List.of(new BatchHook.Target("K8sOne", List.of("a", "b-c")),
                new BatchHook.Target("K8sTwo", List.of("two")))).source();
        assertThat(hook).contains("some c in input.constraints[\"K8sOne\"]")
                .contains("some r in data.a[\"b-c\"].violation with input as {\"review\": input.review, \"parameters\": c.parameters}")
                .contains("some c in input.constraints[\"K8sTwo\"]")
                .contains("some r in data.two.violation");
    }
}
