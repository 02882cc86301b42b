package io.portcullis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.constraint.Manifests;
import io.portcullis.constraint.Suite;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Differential test of {@code portcullis test} against the real {@code gator test} of Gatekeeper v3.23.0
 * (built from its Go module by {@code tools/gator/build.sh}). Every gatekeeper-library suite test becomes one
 * input file: its template, its constraint (also as a {@code warn} copy and a {@code scoped} copy), its
 * inventory, its case objects and {@link GatorVariants deterministic variants} of them. Both commands run on the
 * same file and their violations are compared per object and constraint: constraint, enforcement action and
 * message. gator runs twice: with its CEL driver off ({@code --enable-k8s-native-validation=false}), where full
 * agreement is required, and with its defaults, where the templates without CEL code must agree and the CEL
 * templates must agree too once Portcullis has a CEL driver ({@link #PORTCULLIS_HAS_CEL_DRIVER}, now true).
 *
 * <p>When a whole file fails on either side (gator stops at the first object it cannot review), both sides are
 * run again one case object at a time, with the template, constraints and inventory, and a failure becomes that
 * object's outcome ({@code ERROR}) on that side.
 *
 * <p>Skips with a message when gator is not built or ../shared is missing; fails instead when {@code CI=true}.
 * The report (agreement per template, an example per difference) goes to stdout and
 * {@code target/gator-differential/report.txt}.
 */
class GatorDifferentialTest {

    /**
     * THE switch for the integrator: true once Portcullis evaluates K8sNativeValidation (CEL) code as gator's
     * default does. Then the CEL templates must agree with gator's defaults too, and Portcullis is run with
     * {@code --enable-k8s-native-validation=false} for the CEL-off comparison.
     */
    static final boolean PORTCULLIS_HAS_CEL_DRIVER = true;

    /**
     * Legitimate differences, by template kind, with the reason. Every entry must name why Portcullis is right
     * to differ (or why gator's answer cannot be reproduced); an entry that no longer matches any difference
     * fails the test, so the list never outlives its cause.
     */
    static final Map<String, String> ALLOWED_DIFFERENCES = Map.of();

    static final String GATEKEEPER_VERSION = "v3.23.0";
    static final int MIN_OBJECTS = 1000;

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final YAMLMapper YAML = YAMLMapper.builder().build();

    /** gator's two settings compared. */
    enum Mode {
        CEL_OFF("gator --enable-k8s-native-validation=false"),
        DEFAULT("gator (defaults: CEL driver on)");

        final String label;

        Mode(String label) {
            this.label = label;
        }
    }

    /** One input file: a suite test's template, constraints, inventory and objects to review. */
    record Batch(String template, String templateKind, boolean hasCel, List<ObjectNode> fixed,
            List<ObjectNode> reviewed) {
        List<ObjectNode> all() {
            List<ObjectNode> all = new ArrayList<>(fixed);
            all.addAll(reviewed);
            return all;
        }
    }

    /** What a side said per object key: its sorted violation lines, or ERROR. */
    record Outcomes(Map<String, List<String>> byObject) {
    }

    /** Agreement counts of one template in one mode, and the first difference. */
    static final class Tally {
        int objects;
        int agreeing;
        String example;
    }

    @Test
    void portcullisTestAgreesWithGator() throws Exception {
        Path gator = gatorBinary();
        Path library = library();
        Path work = Path.of(System.getProperty("portcullis.project.dir", "."))
                .resolve("target/gator-differential").toAbsolutePath();
        Files.createDirectories(work);

        List<Batch> batches = batches(library);
        Map<Mode, Map<String, Tally>> tallies = new LinkedHashMap<>();
        Map<String, Boolean> celTemplates = new TreeMap<>();
        int objects = 0;
        int n = 0;
        for (Batch batch : batches) {
            Path file = work.resolve("batch-" + (n++) + "-" + batch.templateKind().toLowerCase() + ".yaml");
            write(file, batch.all());
            objects += batch.reviewed().size();
            celTemplates.merge(batch.templateKind(), batch.hasCel(), Boolean::logicalOr);

            Outcomes portcullisCelOff = portcullis(batch, file, work, false);
            Outcomes portcullisDefault = PORTCULLIS_HAS_CEL_DRIVER ? portcullis(batch, file, work, true)
                    : portcullisCelOff;
            compare(batch, gator(gator, batch, file, work, false), portcullisCelOff,
                    tallies.computeIfAbsent(Mode.CEL_OFF, m -> new TreeMap<>()));
            compare(batch, gator(gator, batch, file, work, true), portcullisDefault,
                    tallies.computeIfAbsent(Mode.DEFAULT, m -> new TreeMap<>()));
        }

        String report = report(tallies, celTemplates, objects);
        System.out.println(report);
        Files.writeString(work.resolve("report.txt"), report);

        assertThat(objects).as("objects reviewed (suite objects and variants)").isGreaterThanOrEqualTo(MIN_OBJECTS);
        List<String> unexplained = new ArrayList<>();
        Set<String> allowedUsed = new LinkedHashSet<>();
        for (Mode mode : Mode.values()) {
            tallies.get(mode).forEach((kind, t) -> {
                if (t.agreeing == t.objects) {
                    return;
                }
                boolean celExempt = mode == Mode.DEFAULT && celTemplates.get(kind) && !PORTCULLIS_HAS_CEL_DRIVER;
                if (celExempt) {
                    return;
                }
                if (ALLOWED_DIFFERENCES.containsKey(kind)) {
                    allowedUsed.add(kind);
                    return;
                }
                unexplained.add(mode.label + ": " + kind + " " + t.agreeing + "/" + t.objects + "; " + t.example);
            });
        }
        assertThat(unexplained).as("differences from gator " + GATEKEEPER_VERSION + " (see " + work
                + "/report.txt)").isEmpty();
        assertThat(ALLOWED_DIFFERENCES.keySet()).as("allow-list entries without a difference").isSubsetOf(allowedUsed);
    }

    /**
     * {@code portcullis verify} against the real {@code gator verify} on the suites with an {@code expansion:} file:
     * the same tests and cases, the same outcome for each, and for a failing case the same reason (which shows the
     * {@code [Implied by ...]} messages). A failing test's reason names a path, which gator prints relative to /, so
     * only its outcome is compared.
     */
    @Test
    void portcullisVerifyAgreesWithGatorOnExpansionSuites() throws Exception {
        Path gator = gatorBinary();
        for (String name : List.of("expansion", "expansion-failing")) {
            Path dir = Path.of(GatorDifferentialTest.class.getResource("/constraint/suites/" + name).toURI());
            Process p = new ProcessBuilder(gator.toString(), "verify", "-v", dir.toString())
                    .redirectErrorStream(true).start();
            p.getOutputStream().close();
            String gatorOut = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();

            StringWriter out = new StringWriter();
            CommandLine cli = new CommandLine(new VerifyCommand());
            cli.setOut(new PrintWriter(out));
            cli.setErr(new PrintWriter(new StringWriter()));
            int code = cli.execute(dir.toString());

            Map<String, String> fromGator = gatorVerifyOutcomes(gatorOut);
            assertThat(fromGator).as(gatorOut).isNotEmpty();
            assertThat(portcullisVerifyOutcomes(out.toString())).as(name + ": portcullis\n" + out + "\ngator\n" + gatorOut)
                    .isEqualTo(fromGator);
            assertThat(code).as(name + ": exit code").isEqualTo(p.exitValue() == 0 ? 0 : 1);
        }
    }

    /**
     * gator verify -v's outcomes by {@code test/case} (or {@code test} for a test without cases run): PASS, or
     * FAIL and, for a case, the reason on the next line. A test's own line after its cases only sums them up.
     */
    static Map<String, String> gatorVerifyOutcomes(String out) {
        Map<String, String> outcomes = new TreeMap<>();
        List<String> lines = out.lines().toList();
        String test = null;
        boolean hadCases = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.startsWith("=== RUN   ")) {
                test = line.substring("=== RUN   ".length());
                hadCases = false;
            } else if (line.startsWith("    --- PASS: ") || line.startsWith("    --- FAIL: ")) {
                hadCases = true;
                String caseName = line.substring(14, line.indexOf('\t'));
                boolean failed = line.startsWith("    --- FAIL");
                outcomes.put(test + "/" + caseName, failed ? "FAIL " + lines.get(i + 1).strip() : "PASS");
            } else if ((line.startsWith("--- PASS: ") || line.startsWith("--- FAIL: ")) && !hadCases) {
                outcomes.put(line.substring(10, line.indexOf('\t')), line.substring(4, 8));
            }
        }
        return outcomes;
    }

    /** portcullis verify's outcomes, keyed and worded as {@link #gatorVerifyOutcomes}. */
    static Map<String, String> portcullisVerifyOutcomes(String out) {
        Map<String, String> outcomes = new TreeMap<>();
        List<String> lines = out.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.startsWith("--- PASS: ") || line.startsWith("--- FAIL: ")) {
                String label = line.substring(10, line.indexOf('\t'));
                boolean failed = line.startsWith("--- FAIL");
                outcomes.put(label, !failed ? "PASS" : label.contains("/") ? "FAIL " + lines.get(i + 1).strip() : "FAIL");
            }
        }
        return outcomes;
    }

    // ---- the corpus

    /** One batch per suite test with cases: AdmissionReview case objects (gator verify only) are left out. */
    static List<Batch> batches(Path library) throws Exception {
        List<Path> suiteFiles;
        try (Stream<Path> walk = Files.walk(library)) {
            suiteFiles = walk.filter(p -> p.getFileName().toString().equals("suite.yaml")).sorted().toList();
        }
        List<Batch> batches = new ArrayList<>();
        for (Path suiteFile : suiteFiles) {
            for (Suite suite : Suite.find(suiteFile)) {
                Path dir = suiteFile.getParent();
                for (Suite.Test test : suite.tests()) {
                    if (test.skip() || test.invalid() || test.cases().isEmpty() || test.constraint() == null) {
                        continue;
                    }
                    Batch batch = batch(dir, test);
                    if (!batch.reviewed().isEmpty()) {
                        batches.add(batch);
                    }
                }
            }
        }
        return batches;
    }

    private static Batch batch(Path dir, Suite.Test test) throws Exception {
        ObjectNode template = Manifests.readObjects(dir.resolve(test.template())).getFirst();
        String kind = template.at("/spec/crd/spec/names/kind").asString();
        boolean hasCel = false;
        for (JsonNode target : template.at("/spec/targets")) {
            for (JsonNode code : target.path("code")) {
                hasCel |= code.path("engine").asString().equals("K8sNativeValidation");
            }
        }
        List<ObjectNode> fixed = new ArrayList<>();
        fixed.add(template);
        fixed.addAll(constraints(Manifests.readObjects(dir.resolve(test.constraint())).getFirst()));

        Set<String> inventoryFiles = new LinkedHashSet<>();
        List<ObjectNode> reviewed = new ArrayList<>();
        int c = 0;
        for (Suite.Case testCase : test.cases()) {
            if (testCase.skip()) {
                continue;
            }
            inventoryFiles.addAll(testCase.inventory());
            int index = c++;
            for (ObjectNode object : Manifests.readObjects(dir.resolve(testCase.object()))) {
                if (object.path("kind").asString().equals("AdmissionReview")) {
                    continue;
                }
                reviewed.add(renamed(object, "c" + index));
                for (GatorVariants.Variant v : GatorVariants.of(object)) {
                    reviewed.add(renamed(v.object(), "c" + index + "-" + v.name()));
                }
            }
        }
        for (String inventory : inventoryFiles) {
            fixed.addAll(Manifests.readObjects(dir.resolve(inventory)));
        }
        return new Batch(dir.getFileName() + "/" + test.name(), kind, hasCel, fixed, reviewed);
    }

    /** The suite's constraint, a warn copy and a scoped copy (deny at gator's enforcement point, warn elsewhere). */
    private static List<ObjectNode> constraints(ObjectNode constraint) {
        String name = constraint.at("/metadata/name").asString();
        ObjectNode warn = constraint.deepCopy();
        warn.withObject("metadata").put("name", name + "-warn");
        warn.withObject("spec").put("enforcementAction", "warn");
        ObjectNode scoped = constraint.deepCopy();
        scoped.withObject("metadata").put("name", name + "-scoped");
        ObjectNode spec = scoped.withObject("spec");
        spec.put("enforcementAction", "scoped");
        spec.putArray("scopedEnforcementActions")
                .add(JSON.createObjectNode().put("action", "deny").set("enforcementPoints", JSON.createArrayNode()
                        .add(JSON.createObjectNode().put("name", "gator.gatekeeper.sh"))))
                .add(JSON.createObjectNode().put("action", "warn").set("enforcementPoints", JSON.createArrayNode()
                        .add(JSON.createObjectNode().put("name", "validation.gatekeeper.sh"))));
        return List.of(constraint, warn, scoped);
    }

    /** A copy with a name unique in its batch, so that results can be told apart by object. */
    private static ObjectNode renamed(ObjectNode object, String suffix) {
        ObjectNode copy = object.deepCopy();
        String name = copy.at("/metadata/name").asString("object");
        copy.withObject("metadata").put("name", (name.isEmpty() ? "object" : name) + "-" + suffix);
        return copy;
    }

    private static void write(Path file, List<ObjectNode> objects) throws IOException {
        StringBuilder text = new StringBuilder();
        for (ObjectNode o : objects) {
            text.append("---\n").append(YAML.writeValueAsString(o).replaceFirst("^---\n", ""));
        }
        Files.writeString(file, text);
    }

    // ---- the two sides

    private static Outcomes gator(Path gator, Batch batch, Path file, Path work, boolean cel) throws Exception {
        List<String> args = new ArrayList<>(List.of(gator.toString(), "test", "-o", "json"));
        if (!cel) {
            args.add("--enable-k8s-native-validation=false");
        }
        return eachSide(batch, file, work, f -> {
            List<String> command = new ArrayList<>(args);
            command.add("-f");
            command.add(f.toString());
            Process p = new ProcessBuilder(command).redirectErrorStream(false).start();
            p.getOutputStream().close();
            Thread.ofPlatform().daemon().start(() -> drain(p));
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            return p.exitValue() <= 1 ? out : null;
        });
    }

    private static void drain(Process p) {
        try {
            p.getErrorStream().transferTo(java.io.OutputStream.nullOutputStream());
        } catch (IOException ignored) {
            // the process went away; its exit code tells
        }
    }

    private static Outcomes portcullis(Batch batch, Path file, Path work, boolean cel) throws Exception {
        return eachSide(batch, file, work, f -> {
            List<String> args = new ArrayList<>(List.of("-f", f.toString(), "-o", "json"));
            if (PORTCULLIS_HAS_CEL_DRIVER && !cel) {
                args.add("--enable-k8s-native-validation=false");
            }
            StringWriter out = new StringWriter();
            CommandLine cli = new CommandLine(new TestCommand());
            cli.setOut(new PrintWriter(out));
            cli.setErr(new PrintWriter(new StringWriter()));
            int code = cli.execute(args.toArray(String[]::new));
            return code <= 1 ? out.toString() : null;
        });
    }

    /** Runs a side on a file: its JSON output, or null when it failed. */
    private interface Side {
        String run(Path file) throws Exception;
    }

    /** The whole file at once; when that fails, one reviewed object at a time (with the fixed objects). */
    private static Outcomes eachSide(Batch batch, Path file, Path work, Side side) throws Exception {
        Map<String, List<String>> byObject = new TreeMap<>();
        for (ObjectNode o : batch.all()) {
            byObject.put(key(o), new ArrayList<>());
        }
        String out = side.run(file);
        if (out != null && parse(out, byObject)) {
            return new Outcomes(byObject);
        }
        byObject.values().forEach(List::clear);
        Path single = work.resolve("single.yaml");
        for (ObjectNode o : batch.reviewed()) {
            List<ObjectNode> objects = new ArrayList<>(batch.fixed());
            objects.add(o);
            write(single, objects);
            String one = side.run(single);
            Map<String, List<String>> oneResult = new TreeMap<>();
            objects.forEach(x -> oneResult.put(key(x), new ArrayList<>()));
            if (one == null || !parse(one, oneResult)) {
                byObject.put(key(o), List.of("ERROR"));
            } else {
                byObject.put(key(o), oneResult.get(key(o)));
            }
        }
        return new Outcomes(byObject);
    }

    /** Adds the violations of gator-style JSON output to their objects' lists; false when it does not parse. */
    private static boolean parse(String out, Map<String, List<String>> byObject) {
        // Both print JSON ("null" or "[]" when nothing is found) on success; a failed run prints nothing on
        // stdout, and gator's fatal errors exit 1, as a deny violation does, so the exit code cannot tell.
        if (out.isBlank()) {
            return false;
        }
        JsonNode results;
        try {
            results = JSON.readTree(out);
        } catch (RuntimeException e) {
            return false;
        }
        if (!results.isNull() && !results.isArray()) {
            return false;
        }
        for (JsonNode r : results) {
            String line = r.at("/constraint/kind").asString() + "/" + r.at("/constraint/metadata/name").asString()
                    + " " + r.path("enforcementAction").asString()
                    + scoped(r.path("scopedActions")) + " " + r.path("msg").asString();
            byObject.computeIfAbsent(key(r.path("violatingObject")), k -> new ArrayList<>()).add(line);
        }
        byObject.values().forEach(l -> l.sort(null));
        return true;
    }

    private static String scoped(JsonNode actions) {
        if (!actions.isArray() || actions.isEmpty()) {
            return "";
        }
        List<String> list = new ArrayList<>();
        actions.forEach(a -> list.add(a.isString() ? a.asString() : a.path("action").asString()));
        return list.toString();
    }

    private static String key(JsonNode o) {
        return o.path("apiVersion").asString() + "/" + o.path("kind").asString() + " "
                + o.at("/metadata/namespace").asString("") + "/" + o.at("/metadata/name").asString("");
    }

    private static void compare(Batch batch, Outcomes gator, Outcomes portcullis, Map<String, Tally> tallies) {
        Tally t = tallies.computeIfAbsent(batch.templateKind(), k -> new Tally());
        Set<String> keys = new LinkedHashSet<>(gator.byObject().keySet());
        keys.addAll(portcullis.byObject().keySet());
        for (String key : keys) {
            List<String> g = gator.byObject().getOrDefault(key, List.of());
            List<String> p = portcullis.byObject().getOrDefault(key, List.of());
            t.objects++;
            if (g.equals(p)) {
                t.agreeing++;
            } else if (t.example == null) {
                List<String> gatorOnly = new ArrayList<>(g);
                p.forEach(gatorOnly::remove);
                List<String> portcullisOnly = new ArrayList<>(p);
                g.forEach(portcullisOnly::remove);
                t.example = batch.template() + " " + key + ": only gator " + gatorOnly + "; only portcullis "
                        + portcullisOnly;
            }
        }
    }

    private static String report(Map<Mode, Map<String, Tally>> tallies, Map<String, Boolean> cel, int objects) {
        StringBuilder r = new StringBuilder("gator " + GATEKEEPER_VERSION + " vs portcullis test: " + objects
                + " reviewed objects (suite objects and variants), 3 constraints each (deny, warn, scoped)\n");
        for (Mode mode : Mode.values()) {
            int all = 0;
            int agree = 0;
            int allNoCel = 0;
            int agreeNoCel = 0;
            StringBuilder lines = new StringBuilder();
            for (var e : tallies.get(mode).entrySet()) {
                Tally t = e.getValue();
                all += t.objects;
                agree += t.agreeing;
                if (!cel.get(e.getKey())) {
                    allNoCel += t.objects;
                    agreeNoCel += t.agreeing;
                }
                if (t.agreeing != t.objects || cel.get(e.getKey())) {
                    lines.append(String.format("  %-40s %s %5d/%-5d %6.2f %%%s%n", e.getKey(),
                            cel.get(e.getKey()) ? "CEL" : "   ", t.agreeing, t.objects, 100.0 * t.agreeing / t.objects,
                            t.example == null ? "" : "\n      e.g. " + t.example));
                }
            }
            r.append(String.format("%s: %d/%d objects agree (%.2f %%); templates without CEL code: %d/%d (%.2f %%)%n",
                    mode.label, agree, all, 100.0 * agree / all, agreeNoCel, allNoCel, 100.0 * agreeNoCel / allNoCel));
            r.append(lines);
        }
        return r.toString();
    }

    // ---- the inputs

    /** The gator binary tools/gator/build.sh cached, or a skip (a failure when CI=true). */
    static Path gatorBinary() throws IOException {
        String given = System.getProperty("portcullis.gator", System.getenv("PORTCULLIS_GATOR"));
        Path binary;
        if (given != null && !given.isBlank()) {
            binary = Path.of(given);
        } else {
            String cache = System.getenv("PORTCULLIS_GATOR_CACHE");
            if (cache == null || cache.isBlank()) {
                String xdg = System.getenv("XDG_CACHE_HOME");
                cache = (xdg != null && !xdg.isBlank() ? xdg : System.getProperty("user.home") + "/.cache")
                        + "/portcullis/gator-bin";
            }
            binary = Path.of(cache, GATEKEEPER_VERSION, "gator");
        }
        if (!Files.isExecutable(binary) || !Files.isRegularFile(binary.resolveSibling(".stamp"))
                && given == null) {
            skipOrFail("gator " + GATEKEEPER_VERSION + " is not built at " + binary + "; run tools/gator/build.sh");
        }
        return binary;
    }

    static Path library() {
        Path dir = Path.of(System.getProperty("portcullis.project.dir", "."))
                .resolve("../shared/conformance/gatekeeper-library/library").normalize();
        if (!Files.isDirectory(dir)) {
            skipOrFail("gatekeeper-library corpus not found at " + dir);
        }
        return dir;
    }

    private static void skipOrFail(String message) {
        if ("true".equals(System.getenv("CI"))) {
            throw new AssertionError(message + " (required when CI=true)");
        }
        Assumptions.abort(message + "; skipping outside CI");
    }
}
