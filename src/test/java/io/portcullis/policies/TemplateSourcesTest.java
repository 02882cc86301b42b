package io.portcullis.policies;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.FileSystemUtils;

/**
 * The shipped templates are generated from policies/ (bin/generate-templates), as gatekeeper-library's are from
 * src/: a template edited without its source, or a source not regenerated into its template, fails here.
 */
class TemplateSourcesTest {
    private static final Path PROJECT = Path.of(System.getProperty("portcullis.project.dir", ".")).toAbsolutePath().normalize();
    private static final Path POLICIES = PROJECT.resolve("policies");
    private static final Path TEMPLATES = PROJECT.resolve("constraint-templates");

    @Test
    void everyShippedTemplateEmbedsExactlyItsSource() {
        assertThat(TemplateSources.problems(POLICIES, TEMPLATES))
                .as("templates out of step with policies/ (fix: " + TemplateSources.FIX + ")")
                .isEmpty();
    }

    @Test
    void everyShippedTemplateHasASourceFolder() throws IOException {
        try (var templates = Files.list(TEMPLATES)) {
            List<String> names = templates.filter(Files::isDirectory).map(p -> p.getFileName().toString()).toList();
            assertThat(names).isNotEmpty().allSatisfy(name -> {
                assertThat(POLICIES.resolve(name).resolve("src.rego")).isRegularFile();
                assertThat(POLICIES.resolve(name).resolve("src_test.rego")).isRegularFile();
            });
        }
    }

    @Test
    void aTemplateEditedWithoutItsSourceFailsNamingTheFileAndTheFix(@TempDir Path dir) throws Exception {
        Path policies = copy(POLICIES, dir.resolve("policies"));
        Path templates = copy(TEMPLATES, dir.resolve("constraint-templates"));
        Path template = templates.resolve("k8srequiredseccompprofile/template.yaml");
        String original = Files.readString(template);
        Files.writeString(template, original.replace("template_kinds := {\"Deployment\", ", "template_kinds := {"));

        assertThat(TemplateSources.problems(policies, templates)).singleElement().asString()
                .startsWith(template + ": its Rego differs from " + policies.resolve("k8srequiredseccompprofile/src.rego"))
                .contains("template has \"template_kinds := {\"StatefulSet\"")
                .endsWith("edit policies/k8srequiredseccompprofile/src.rego (not the template) and run bin/generate-templates");

        // The generator puts the source back into the template, leaving the rest of the file as it was.
        generate(policies, templates);
        assertThat(template).hasContent(original);
        assertThat(TemplateSources.problems(policies, templates)).isEmpty();
    }

    @Test
    void theGeneratorCarriesAnEditedSourceIntoItsTemplate(@TempDir Path dir) throws Exception {
        Path policies = copy(POLICIES, dir.resolve("policies"));
        Path templates = copy(TEMPLATES, dir.resolve("constraint-templates"));
        Path src = policies.resolve("k8sallowedapparmorprofiles/src.rego");
        Files.writeString(src, Files.readString(src) + "\n# a new helper\nhelper_rule {\n  true\n}\n\n\n");
        assertThat(TemplateSources.problems(policies, templates)).singleElement().asString()
                .contains("k8sallowedapparmorprofiles/template.yaml: its Rego differs");

        generate(policies, templates);
        assertThat(TemplateSources.problems(policies, templates)).isEmpty();
        assertThat(templates.resolve("k8sallowedapparmorprofiles/template.yaml")).content()
                .contains("\n        # a new helper\n        helper_rule {\n          true\n        }\n");
    }

    @Test
    void aSourceWithoutTemplateOrTestsIsReported(@TempDir Path dir) throws Exception {
        Path policies = copy(POLICIES, dir.resolve("policies"));
        Path templates = copy(TEMPLATES, dir.resolve("constraint-templates"));
        Files.createDirectories(policies.resolve("k8sorphan"));
        Files.delete(policies.resolve("k8sallowedselinuxoptions/src_test.rego"));
        assertThat(TemplateSources.problems(policies, templates)).containsExactly(
                policies.resolve("k8sorphan") + ": no template " + templates.resolve("k8sorphan/template.yaml")
                        + " embeds it; add the template (or remove the folder)",
                policies.resolve("k8sallowedselinuxoptions/src.rego") + ": has no unit tests; add "
                        + policies.resolve("k8sallowedselinuxoptions/src_test.rego") + " (test_ rules, run by portcullis rego-test)");
    }

    private static Path copy(Path from, Path to) throws IOException {
        FileSystemUtils.copyRecursively(from, to);
        return to;
    }

    private static void generate(Path policies, Path templates) throws Exception {
        Process p = new ProcessBuilder(PROJECT.resolve("bin/generate-templates").toString(), policies.toString(), templates.toString())
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
    }
}
