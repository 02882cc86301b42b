package io.portcullis.constraint;

import io.portcullis.json.JsonFields;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;

/**
 * A gator test suite ({@code kind: Suite}, {@code apiVersion: test.gatekeeper.sh/v1alpha1},
 * [GK] pkg/gator/verify/suite.go). Paths inside are relative to the suite file.
 *
 * @param path the suite file
 */
public record Suite(Path path, String name, List<Test> tests, boolean skip) {
    public static final String API_VERSION = "test.gatekeeper.sh/v1alpha1";

    public Suite {
        tests = List.copyOf(tests);
    }

    /**
     * A template and a constraint, and the cases run against them.
     *
     * @param invalid the constraint is expected to fail schema validation (and there are no cases)
     */
    public record Test(String name, String template, String constraint, String expansion, List<Case> cases,
            boolean invalid, boolean skip) {
        public Test {
            cases = List.copyOf(cases);
        }
    }

    /** One object (or AdmissionReview) to review, with inventory, and what the review must show. */
    public record Case(String name, String object, List<String> inventory, List<Assertion> assertions, boolean skip) {
        public Case {
            inventory = List.copyOf(inventory);
            assertions = List.copyOf(assertions);
        }
    }

    /**
     * {@code violations}: "yes" (the default: at least one), "no" (none) or an integer count, of the violations
     * whose msg the unanchored regex {@code message} finds (all violations when it is null).
     *
     * @param violations the string form ("yes", "no", or anything else, which is invalid), null when a count or
     *     absent
     * @param count the count when {@code violations} is an integer, else null
     */
    public record Assertion(String violations, Long count, String message) {
        /** Null when the assertion holds, else why not (gator's wording). */
        public String check(List<String> messages) {
            Pattern regex = null;
            if (message != null) {
                try {
                    regex = Pattern.compile(message);
                } catch (PatternSyntaxException e) {
                    return "invalid regex: " + e.getDescription();
                }
            }
            int matching = 0;
            for (String msg : messages) {
                if (regex == null || regex.matcher(msg).find()) {
                    matching++;
                }
            }
            String got = "unexpected number of violations: got " + matching + " violations"
                    + (message == null ? "" : " containing \"" + message + "\"");
            String gotMessages = ": got messages " + "[" + String.join(" ", messages) + "]";
            String invalid = "invalid YAML: assertion.violation, if set, must be a nonnegative integer, \"yes\", or \"no\"";
            if (count != null) {
                if (count < 0) {
                    return invalid;
                }
                return matching == count ? null : got + " but want exactly " + count + gotMessages;
            }
            String want = violations == null ? "yes" : violations;
            return switch (want) {
                case "yes" -> matching > 0 ? null : got + " but want at least 1" + gotMessages;
                case "no" -> matching == 0 ? null : got + " but want none" + gotMessages;
                default -> invalid;
            };
        }
    }

    /** Whether the object is a Suite (other YAML documents are ignored, as gator ignores them). */
    public static boolean isSuite(JsonNode object) {
        return JsonFields.text(object.path("kind")).equals("Suite") && JsonFields.text(object.path("apiVersion")).equals(API_VERSION);
    }

    /**
     * The suites at a path: a file, every suite file under a directory (recursively), or gator's {@code dir/...}.
     * YAML files that are not suites are skipped; files that fail to parse are skipped unless they look like
     * suites.
     */
    public static List<Suite> find(Path path) throws ManifestException {
        Path root = path;
        if (root.toString().endsWith("...")) {
            String s = root.toString();
            root = Path.of(s.substring(0, s.length() - 3).isEmpty() ? "." : s.substring(0, s.length() - 3));
        }
        if (!Files.exists(root)) {
            throw new ManifestException(root + ": no such file or directory");
        }
        List<Path> files = new ArrayList<>();
        if (Files.isDirectory(root)) {
            try (Stream<Path> walk = Files.walk(root)) {
                walk.filter(Files::isRegularFile).filter(Suite::isYamlFile).sorted().forEach(files::add);
            } catch (IOException e) {
                throw new ManifestException("cannot list " + root + ": " + e.getMessage(), e);
            }
        } else {
            files.add(root);
        }
        List<Suite> suites = new ArrayList<>();
        for (Path file : files) {
            List<JsonNode> docs;
            try {
                docs = Manifests.readFile(file);
            } catch (ManifestException e) {
                if (looksLikeSuite(file)) {
                    throw e;
                }
                continue;
            }
            for (JsonNode doc : docs) {
                if (isSuite(doc)) {
                    suites.add(parse(doc, file));
                }
            }
        }
        return suites;
    }

    private static boolean isYamlFile(Path p) {
        String name = p.getFileName().toString();
        return name.endsWith(".yaml") || name.endsWith(".yml");
    }

    private static boolean looksLikeSuite(Path file) {
        try {
            return Files.readString(file).contains(API_VERSION);
        } catch (IOException e) {
            return false;
        }
    }

    public static Suite parse(JsonNode doc, Path file) {
        List<Test> tests = new ArrayList<>();
        for (JsonNode t : doc.path("tests")) {
            List<Case> cases = new ArrayList<>();
            for (JsonNode c : t.path("cases")) {
                List<String> inventory = new ArrayList<>();
                c.path("inventory").forEach(i -> inventory.add(JsonFields.text(i)));
                List<Assertion> assertions = new ArrayList<>();
                for (JsonNode a : c.path("assertions")) {
                    JsonNode v = a.get("violations");
                    Long count = v != null && v.isIntegralNumber() ? v.asLong() : null;
                    assertions.add(new Assertion(count == null ? violations(v) : null, count,
                            a.path("message").isString() ? a.get("message").asString() : null));
                }
                cases.add(new Case(JsonFields.text(c.path("name")), JsonFields.text(c.path("object")), inventory, assertions,
                        c.path("skip").asBoolean(false)));
            }
            tests.add(new Test(JsonFields.text(t.path("name")), JsonFields.text(t.path("template")), JsonFields.text(t.path("constraint")),
                    JsonFields.text(t.path("expansion")), cases, t.path("invalid").asBoolean(false), t.path("skip").asBoolean(false)));
        }
        return new Suite(file, JsonFields.text(doc.path("metadata").path("name")), tests, doc.path("skip").asBoolean(false));
    }

    /** {@code violations} as written: YAML 1.1 reads an unquoted yes/no as a boolean, which means "yes"/"no". */
    private static String violations(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isBoolean()) {
            return node.asBoolean() ? "yes" : "no";
        }
        return node.isString() ? node.asString() : node.toString();
    }
}
