package io.portcullis.cli;

import io.portcullis.json.JsonFields;
import io.portcullis.constraint.ManifestException;
import io.portcullis.constraint.Manifests;
import io.portcullis.constraint.Result;
import io.portcullis.constraint.TemplateCompiler;
import io.portcullis.engine.EngineConfig;
import io.portcullis.engine.PolicyEngine;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;
import tools.jackson.dataformat.yaml.YAMLWriteFeature;

/**
 * {@code portcullis test -f FILE_OR_DIR... [-o json|yaml]}: evaluates every object against the templates and
 * constraints among them, like {@code gator test}, and prints the violations. Exits 1 when a violation is
 * enforceable (deny, or scoped with deny) or the input is bad, else 0.
 */
@Command(name = "test", mixinStandardHelpOptions = true,
        description = "Evaluate objects against the ConstraintTemplates and constraints given with them.")
public final class TestCommand implements Callable<Integer> {
    private static final String TARGET = "admission.k8s.gatekeeper.sh";

    @Option(names = "--enable-k8s-native-validation", arity = "0..1", defaultValue = "true", paramLabel = "BOOL",
            description = "Run the CEL (K8sNativeValidation) code of templates that have it, as gator (default: true); "
                    + "false runs their Rego and refuses CEL-only templates.")
    boolean enableCel = true;

    @Option(names = {"-f", "--filename"}, required = true, arity = "1..*", paramLabel = "FILE_OR_DIR",
            description = "Files or directories (.yaml, .yml and .json files under them); - reads standard input.")
    List<String> filenames;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", description = "Output format: json or yaml (default: text).")
    String output;

    @Option(names = "--deny-only", description = "Print only enforceable (deny) violations.")
    boolean denyOnly;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (output != null && !output.isEmpty() && !output.equals("json") && !output.equals("yaml")) {
            err.println("unrecognized output format \"" + output + "\": use json or yaml");
            return 1;
        }
        List<ObjectNode> objects = new ArrayList<>();
        try {
            for (String name : filenames) {
                read(name, objects);
            }
        } catch (ManifestException | IOException e) {
            err.println("reading: " + e.getMessage());
            return 1;
        }
        if (objects.isEmpty()) {
            err.println("no input data identified");
            return 1;
        }
        List<GatorTest.Violation> violations;
        try (PolicyEngine engine = new PolicyEngine(EngineConfig.defaults())) {
            violations = GatorTest.run(objects, new TemplateCompiler(engine, enableCel));
        } catch (GatorTest.GatorTestException e) {
            err.println(e.getMessage());
            return 1;
        }
        boolean enforceable = violations.stream().anyMatch(v -> v.result().isDeny());
        List<GatorTest.Violation> shown = denyOnly
                ? violations.stream().filter(v -> v.result().isDeny()).toList() : violations;
        if (output == null || output.isEmpty()) {
            for (GatorTest.Violation v : shown) {
                out.println(textLine(v));
            }
        } else {
            ArrayNode results = JsonNodeFactory.instance.arrayNode();
            shown.forEach(v -> results.add(toJson(v)));
            ObjectMapper mapper = output.equals("json")
                    ? JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build()
                    : YAMLMapper.builder().disable(YAMLWriteFeature.WRITE_DOC_START_MARKER)
                            .enable(YAMLWriteFeature.MINIMIZE_QUOTES).build();
            out.println(mapper.writeValueAsString(results).stripTrailing());
        }
        out.flush();
        return enforceable ? 1 : 0;
    }

    /** {@code <apiVersion>/<Kind> <ns>/<name>: ["<constraint>"] Message: "<msg>"}; no ns/ for cluster-scoped objects. */
    static String textLine(GatorTest.Violation v) {
        JsonNode obj = v.violatingObject();
        return JsonFields.text(obj.path("apiVersion")) + "/" + JsonFields.text(obj.path("kind")) + " " + JsonFields.describe(obj)
                + ": [" + goQuote(v.result().constraintName()) + "] Message: " + goQuote(v.result().msg());
    }

    /** Go's %q: a double-quoted string with Go escapes, as gator prints names and messages. */
    static String goQuote(String s) {
        StringBuilder out = new StringBuilder("\"");
        s.codePoints().forEach(cp -> {
            switch (cp) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case 0x07 -> out.append("\\a");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case 0x0B -> out.append("\\v");
                default -> {
                    if (isPrint(cp)) {
                        out.appendCodePoint(cp);
                    } else if (cp < 0x80) {
                        out.append(String.format("\\x%02x", cp));
                    } else if (cp < 0x10000) {
                        out.append(String.format("\\u%04x", cp));
                    } else {
                        out.append(String.format("\\U%08x", cp));
                    }
                }
            }
        });
        return out.append('"').toString();
    }

    private static boolean isPrint(int cp) {
        if (cp == ' ') {
            return true;
        }
        return switch (Character.getType(cp)) {
            case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE, Character.UNASSIGNED,
                    Character.SPACE_SEPARATOR, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> false;
            default -> true;
        };
    }

    /** The framework result fields gator prints, plus the violating object. */
    static ObjectNode toJson(GatorTest.Violation v) {
        Result r = v.result();
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("target", TARGET);
        node.put("msg", r.msg());
        node.putObject("metadata").set("details", r.details());
        node.set("constraint", r.constraint());
        node.put("enforcementAction", r.enforcementAction());
        if (r.enforcementAction().equals("scoped")) {
            ArrayNode scoped = node.putArray("scopedActions");
            r.actions().forEach(scoped::add);
        }
        node.set("violatingObject", v.violatingObject());
        node.putNull("trace");
        return node;
    }

    static void read(String name, List<ObjectNode> objects) throws ManifestException, IOException {
        if (name.equals("-")) {
            String text = new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
            objects.addAll(Manifests.readObjects(text, "<stdin>"));
            return;
        }
        Path path = Path.of(name);
        if (!Files.exists(path)) {
            throw new ManifestException(name + ": no such file or directory");
        }
        if (!Files.isDirectory(path)) {
            objects.addAll(Manifests.readObjects(path));
            return;
        }
        List<Path> files;
        try (Stream<Path> walk = Files.walk(path)) {
            files = walk.filter(Files::isRegularFile).filter(TestCommand::isManifest).sorted().toList();
        }
        for (Path file : files) {
            objects.addAll(Manifests.readObjects(file));
        }
    }

    private static boolean isManifest(Path file) {
        String n = file.getFileName().toString();
        return n.endsWith(".yaml") || n.endsWith(".yml") || n.endsWith(".json");
    }
}
