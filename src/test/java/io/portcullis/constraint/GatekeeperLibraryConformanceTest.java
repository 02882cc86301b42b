package io.portcullis.constraint;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Runs every gator suite of the gatekeeper-library corpus (../shared/conformance/gatekeeper-library) the way
 * {@code portcullis verify} does, and requires every case to pass: with the CEL driver (templates with
 * K8sNativeValidation code run their CEL, as Gatekeeper's default) and without it (they run their Rego).
 */
class GatekeeperLibraryConformanceTest {
    static final int EXPECTED_CASES = 205;

    static Path library() {
        Path dir = Path.of(System.getProperty("portcullis.project.dir", "."))
                .resolve("../shared/conformance/gatekeeper-library").normalize();
        if (!Files.isDirectory(dir)) {
            String message = "gatekeeper-library corpus not found at " + dir;
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError(message + " (required when CI=true)");
            }
            Assumptions.abort(message + "; skipping outside CI");
        }
        return dir;
    }

    static final TemplateCompiler WITHOUT_CEL = new TemplateCompiler(Engines.ENGINE, false);

    @ParameterizedTest(name = "enable-k8s-native-validation={0}")
    @ValueSource(booleans = {true, false})
    void everySuiteOfTheLibraryPasses(boolean cel) throws Exception {
        Path library = library();
        List<Suite> suites = new ArrayList<>();
        try (var files = Files.walk(library)) {
            for (Path p : files.filter(f -> f.getFileName().toString().equals("suite.yaml")).sorted().toList()) {
                suites.addAll(Suite.find(p));
            }
        }
        assertThat(suites).as("suite.yaml files").hasSizeGreaterThanOrEqualTo(37);

        SuiteRunner runner = new SuiteRunner(cel ? Engines.COMPILER : WITHOUT_CEL);
        List<SuiteRunner.Outcome> outcomes = new ArrayList<>();
        for (Suite suite : suites) {
            outcomes.addAll(runner.run(suite, SuiteRunner.Filter.ALL));
        }
        List<String> failures = outcomes.stream().filter(SuiteRunner.Outcome::failed)
                .map(o -> library.relativize(o.suite()) + " " + o.label() + ": " + o.error()).toList();
        assertThat(failures).as("failed cases").isEmpty();
        assertThat(outcomes).filteredOn(SuiteRunner.Outcome::skipped).isEmpty();
        assertThat(outcomes).filteredOn(SuiteRunner.Outcome::passed).hasSize(EXPECTED_CASES);
    }

    /** The suites above prove something about CEL only if the library's CEL templates really run on it. */
    @ParameterizedTest(name = "enable-k8s-native-validation={0}")
    @ValueSource(booleans = {true, false})
    void templatesWithCelRunOnTheDriverGatekeeperWouldChoose(boolean cel) throws Exception {
        List<String> celTemplates = new ArrayList<>();
        try (var files = Files.walk(library().resolve("library"))) {
            for (Path p : files.filter(f -> f.getFileName().toString().equals("template.yaml")).sorted().toList()) {
                for (var object : Manifests.readObjects(p)) {
                    CompiledTemplate compiled = (cel ? Engines.COMPILER : WITHOUT_CEL).compile(TemplateParser.parse(object, ""));
                    if (compiled.template().celSource() != null) {
                        celTemplates.add(compiled.template().kind());
                        assertThat(compiled.driver()).as(compiled.template().kind())
                                .isEqualTo(cel ? "K8sNativeValidation" : "Rego");
                    } else {
                        assertThat(compiled.driver()).isEqualTo("Rego");
                    }
                }
            }
        }
        assertThat(celTemplates).as("library templates with K8sNativeValidation code").hasSizeGreaterThanOrEqualTo(12);
    }
}
