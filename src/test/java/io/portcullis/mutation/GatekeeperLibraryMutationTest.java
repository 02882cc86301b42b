package io.portcullis.mutation;

import io.portcullis.json.JsonFields;
import static io.portcullis.mutation.TestObjects.assertPatchAndIdempotence;
import static io.portcullis.mutation.TestObjects.namespace;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import io.portcullis.mutation.gatekeeper.MutatorId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import tools.jackson.databind.JsonNode;

/**
 * Applies every mutator of gatekeeper-library's {@code mutation/} samples to the example Pods beside it and
 * compares the result, field by field, with the expected objects in {@code src/test/resources/mutation-expected/}.
 */
class GatekeeperLibraryMutationTest {
    private static final Path PROJECT = Path.of(System.getProperty("portcullis.project.dir", "."));
    private static final Path LIBRARY = PROJECT.resolve("../shared/conformance/gatekeeper-library/mutation").normalize();
    private static final Path EXPECTED = PROJECT.resolve("src/test/resources/mutation-expected");
    private static final JsonNode DEFAULT_NAMESPACE = namespace("default");

    private final AdmissionMutator mutator = new AdmissionMutator();

    @TestFactory
    Stream<DynamicTest> everyExampleMutatesAsGatekeeperDocuments() throws Exception {
        List<DynamicTest> tests = new ArrayList<>();
        for (Path samples : sampleFolders()) {
            List<Path> mutatorFiles = yamlFiles(samples, 1);
            MutationConfig all = MutationConfigLoader.load(mutatorFiles.toArray(Path[]::new));
            for (Path example : examples(samples)) {
                Path relative = LIBRARY.relativize(samples.getParent()).resolve(samples.relativize(example));
                tests.add(DynamicTest.dynamicTest(relative.toString(), () -> {
                    Path expectedFile = EXPECTED.resolve(relative);
                    assertThat(expectedFile).as("expected output for %s", relative).exists();
                    MutationResult result = mutate(example, all);
                    JsonNode expected = YamlDocuments.read(Files.readString(expectedFile), expectedFile.toString()).getFirst();
                    List<String> differences = differences("", expected, result.object());
                    assertThat(differences).as("fields of %s that differ from %s", relative, expectedFile).isEmpty();
                    assertThat(result.appliedMutators()).isNotEmpty();
                }));
                for (Path mutatorFile : mutatorFiles) {
                    MutationConfig single = MutationConfigLoader.load(mutatorFile);
                    tests.add(DynamicTest.dynamicTest(relative + " with " + mutatorFile.getFileName() + " alone",
                            () -> mutate(example, single)));
                }
            }
        }
        assertThat(tests).hasSizeGreaterThanOrEqualTo(7);
        return tests.stream();
    }

    /** Mutates a Pod CREATE in namespace "default"; checks the patch and that a second admission changes nothing. */
    private MutationResult mutate(Path example, MutationConfig config) throws Exception {
        JsonNode pod = YamlDocuments.read(Files.readString(example), example.toString()).getFirst();
        MutationRequest request = new MutationRequest("CREATE", "default", DEFAULT_NAMESPACE, pod);
        MutationResult result = mutator.mutate(request, config);
        assertPatchAndIdempotence(mutator, request, config, result);
        assertThat(result.appliedMutators()).allSatisfy(id -> assertThat(id).isInstanceOf(MutatorId.class));
        return result;
    }

    /** JSON-pointer paths where the two values differ, so a failure names the fields. */
    static List<String> differences(String path, JsonNode expected, JsonNode actual) {
        List<String> out = new ArrayList<>();
        if (expected == null || actual == null) {
            out.add(path + ": expected " + expected + ", got " + actual);
        } else if (expected.isObject() && actual.isObject()) {
            for (var e : expected.properties()) {
                out.addAll(differences(path + "/" + e.getKey(), e.getValue(), actual.get(e.getKey())));
            }
            for (var name : actual.propertyNames()) {
                if (!expected.has(name)) {
                    out.add(path + "/" + name + ": unexpected " + actual.get(name));
                }
            }
        } else if (expected.isArray() && actual.isArray() && expected.size() == actual.size()) {
            for (int i = 0; i < expected.size(); i++) {
                out.addAll(differences(path + "/" + i, expected.get(i), actual.get(i)));
            }
        } else if (!JsonFields.deepEquals(expected, actual)) {
            out.add(path + ": expected " + expected + ", got " + actual);
        }
        return out;
    }

    private static List<Path> sampleFolders() throws IOException {
        if (!Files.isDirectory(LIBRARY)) {
            if ("true".equals(System.getenv("CI"))) {
                fail("gatekeeper-library conformance data missing at " + LIBRARY);
            }
            Assumptions.abort("gatekeeper-library conformance data not found at " + LIBRARY + "; skipping");
        }
        try (Stream<Path> walk = Files.walk(LIBRARY)) {
            return walk.filter(Files::isDirectory).filter(p -> p.getFileName().toString().equals("samples")).sorted().toList();
        }
    }

    private static List<Path> examples(Path samples) throws IOException {
        try (Stream<Path> walk = Files.walk(samples)) {
            return walk.filter(p -> !p.getParent().equals(samples)).filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
    }

    private static List<Path> yamlFiles(Path dir, int depth) throws IOException {
        try (Stream<Path> walk = Files.walk(dir, depth)) {
            return walk.filter(Files::isRegularFile).filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
    }
}
