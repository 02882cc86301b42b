package io.portcullis.policies;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Whether the shipped ConstraintTemplates embed exactly their sources in {@code policies/}: every template has a
 * folder {@code policies/NAME} with {@code src.rego} (its Rego, byte for byte up to the final newline a YAML
 * literal block keeps) and {@code src_test.rego}, and every such folder has a template. Each problem is one
 * line naming the file and the fix.
 */
final class TemplateSources {
    private static final YAMLMapper YAML = YAMLMapper.builder().build();
    static final String FIX = "edit policies/NAME/src.rego (not the template) and run bin/generate-templates";

    private TemplateSources() {
    }

    static List<String> problems(Path policies, Path templates) {
        List<String> problems = new ArrayList<>();
        TreeSet<String> names = new TreeSet<>(folders(templates));
        for (String name : folders(policies)) {
            if (!names.contains(name)) {
                problems.add(policies.resolve(name) + ": no template " + templates.resolve(name).resolve("template.yaml")
                        + " embeds it; add the template (or remove the folder)");
            }
        }
        for (String name : names) {
            Path template = templates.resolve(name).resolve("template.yaml");
            Path src = policies.resolve(name).resolve("src.rego");
            Path tests = policies.resolve(name).resolve("src_test.rego");
            if (!Files.isRegularFile(src)) {
                problems.add(template + ": its source " + src + " is missing; create it from the template's Rego");
                continue;
            }
            if (!Files.isRegularFile(tests)) {
                problems.add(src + ": has no unit tests; add " + tests + " (test_ rules, run by portcullis rego-test)");
            }
            String embedded = rego(template);
            String source = withOneFinalNewline(read(src));
            if (embedded == null) {
                problems.add(template + ": has no spec.targets[0].rego to compare with " + src);
            } else if (!embedded.equals(source)) {
                problems.add(template + ": its Rego differs from " + src + " (" + firstDifference(embedded, source)
                        + "); " + FIX.replace("NAME", name));
            }
        }
        return problems;
    }

    private static String rego(Path template) {
        JsonNode targets = YAML.readTree(read(template)).path("spec").path("targets");
        JsonNode rego = targets.path(0).path("rego");
        return rego.isString() ? rego.asString() : null;
    }

    /** A literal block scalar (`|`) keeps exactly one final newline, so that is what the source is held to. */
    static String withOneFinalNewline(String text) {
        return text.stripTrailing() + "\n";
    }

    private static String firstDifference(String embedded, String source) {
        List<String> a = embedded.lines().toList();
        List<String> b = source.lines().toList();
        for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
            String left = i < a.size() ? a.get(i) : "<end>";
            String right = i < b.size() ? b.get(i) : "<end>";
            if (!left.equals(right)) {
                return "line " + (i + 1) + " of the Rego: template has \"" + left.strip() + "\", source has \""
                        + right.strip() + "\"";
            }
        }
        return "they differ in whitespace";
    }

    private static List<String> folders(Path dir) {
        try (Stream<Path> list = Files.list(dir)) {
            return list.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
