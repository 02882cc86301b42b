package io.portcullis.engine;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** Reads ConstraintTemplates of the shared gatekeeper-library corpus for engine tests. */
final class TestPolicies {
    static final ObjectMapper YAML = YAMLMapper.builder().build();

    record Template(Path dir, String name, String pkg, List<RegoModule> modules) {
        String violation() {
            return pkg.replace('.', '/') + "/violation";
        }
    }

    private TestPolicies() {}

    static Path projectDir() {
        return Path.of(System.getProperty("portcullis.project.dir", ".")).toAbsolutePath().normalize();
    }

    /** The shared corpus; skips the test outside CI when it is absent, fails inside CI. */
    static Path library() {
        Path lib = projectDir().resolve("../shared/conformance/gatekeeper-library/library").normalize();
        boolean present = Files.isDirectory(lib);
        if (!present && "true".equals(System.getenv("CI"))) {
            throw new IllegalStateException("CI=true but the shared gatekeeper-library corpus is missing at " + lib);
        }
        assumeTrue(present, "skipped: the shared gatekeeper-library corpus is not at " + lib);
        return lib;
    }

    static List<Template> allTemplates() {
        try (Stream<Path> files = Files.walk(library())) {
            List<Template> out = new ArrayList<>();
            for (Path f : files.filter(p -> p.getFileName().toString().equals("template.yaml")).sorted().toList()) {
                out.add(read(f));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Template template(String relativeDir) {
        return read(library().resolve(relativeDir).resolve("template.yaml"));
    }

    static Template read(Path file) {
        JsonNode t = YAML.readTree(file.toFile());
        JsonNode target = t.path("spec").path("targets").get(0);
        String rego = target.path("rego").asString(null);
        JsonNode libs = target.path("libs");
        for (JsonNode code : target.path("code")) {
            if ("Rego".equals(code.path("engine").asString())) {
                rego = code.path("source").path("rego").asString();
                libs = code.path("source").path("libs");
            }
        }
        String name = t.path("metadata").path("name").asString();
        List<RegoModule> modules = new ArrayList<>();
        modules.add(RegoModule.v0(name + "/template.rego", rego));
        int i = 0;
        for (JsonNode lib : libs) {
            modules.add(RegoModule.v0(name + "/lib" + i++ + ".rego", lib.asString()));
        }
        String pkg = rego.lines().filter(l -> l.startsWith("package ")).findFirst().orElseThrow().substring(8).trim();
        return new Template(file.getParent(), name, pkg, modules);
    }
}
