package io.portcullis.constraint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.portcullis.engine.CompileError;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

class RegoInFileTest {
    static final String YAML = """
            apiVersion: templates.gatekeeper.sh/v1
            kind: ConstraintTemplate
            metadata:
              name: k8sbroken
            spec:
              crd:
                spec:
                  names:
                    kind: K8sBroken
              targets:
                - target: admission.k8s.gatekeeper.sh
                  libs:
                    - |
                      package lib.helpers

                      ok(x) { x == 1 }
                  rego: |
                    package k8sbroken

                    violation[{"msg": msg}] {
                      x := concat(1)
                      msg := "m"
                    }
            """;

    @Test
    void aRegoErrorIsPlacedOnTheLineAndColumnOfTheYamlFile() throws Exception {
        List<ObjectNode> objects = Manifests.readObjects(YAML, "template.yaml");
        ConstraintTemplate template = TemplateParser.parse(objects.get(0), "template.yaml");
        InvalidTemplateException e = catchThrowableOfType(InvalidTemplateException.class,
                () -> Engines.COMPILER.compile(template));
        CompileError error = e.errors().get(0);
        // OPA's position is within the Rego: line 4 of the rego block.
        assertThat(error.line()).isEqualTo(4);
        // The rego block starts on line 18 of the file and is indented by 8: "x := concat(1)" is on line 21.
        Optional<String> at = RegoInFile.locate(YAML, "template.yaml", template, error);
        assertThat(at).contains("template.yaml:21:" + (8 + error.column()));
        assertThat(YAML.lines().toList().get(20)).isEqualTo("          x := concat(1)");
    }

    @Test
    void noPositionWhenTheRegoIsNotABlockOfTheFile() throws Exception {
        List<ObjectNode> objects = Manifests.readObjects(YAML, "template.yaml");
        ConstraintTemplate template = TemplateParser.parse(objects.get(0), "template.yaml");
        CompileError error = new CompileError(TemplateCompiler.moduleName(template, ""), 4, 3, "rego_type_error", "x");
        assertThat(RegoInFile.locate("{\"json\": true}", "t.json", template, error)).isEmpty();
        CompileError elsewhere = new CompileError("other.rego", 4, 3, "rego_type_error", "x");
        assertThat(RegoInFile.locate(YAML, "template.yaml", template, elsewhere)).isEmpty();
    }

    @Test
    void libErrorsArePlacedInTheirBlock() throws Exception {
        List<ObjectNode> objects = Manifests.readObjects(YAML, "template.yaml");
        ConstraintTemplate template = TemplateParser.parse(objects.get(0), "template.yaml");
        CompileError error = new CompileError(TemplateCompiler.moduleName(template, ".lib0"), 3, 1, "rego_type_error", "x");
        // The lib's "ok(x) ..." line is line 16 of the file, indented by 10.
        assertThat(RegoInFile.locate(YAML, "template.yaml", template, error)).contains("template.yaml:16:11");
    }
}
