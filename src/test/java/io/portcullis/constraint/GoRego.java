package io.portcullis.constraint;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * OPA's Go evaluator (the {@code eval} mode of our compiler program) as the reference for what Gatekeeper's Rego
 * sees and says. Its input reaches OPA as Gatekeeper's review does ([FW] drivers/rego/driver.go): decoded by Go's
 * encoding/json into {@code any}, so every number is a float64, then turned into a Rego value by
 * ast.InterfaceToValue ({@code valueInput}).
 */
final class GoRego {
    /** A module as Gatekeeper parses it: name, Rego, and "v0" or "v1". */
    record Module(String name, String source, String regoVersion) {
    }

    private static final Pattern GO_ERROR = Pattern.compile("(?s)(.+?:\\d+): (eval_\\w+): ([^\\n]*).*");

    private final Path binary;

    private GoRego(Path binary) {
        this.binary = binary;
    }

    /** The evaluator, or the test is skipped (failed under CI=true) when the compiler binary has not been built. */
    static GoRego get() {
        String built = System.getProperty("portcullis.opa.compiler");
        Path binary = built != null ? Path.of(built)
                : Path.of(System.getProperty("portcullis.project.dir", ".")).resolve("target/opa-compiler/opa-wasm-compiler");
        boolean present = Files.isExecutable(binary);
        if (!present && "true".equals(System.getenv("CI"))) {
            throw new IllegalStateException("OPA's Go evaluator missing: " + binary + " (build it with bin/mvn generate-resources)");
        }
        assumeTrue(present, "OPA's Go evaluator not built: " + binary + " (run bin/mvn -q generate-resources)");
        return new GoRego(binary);
    }

    /**
     * Evaluates the query with the input given as JSON text, spliced into the request as written so that Go
     * decodes each number from its own text.
     *
     * @return OPA's answer: {@code {"results": [bindings...]}} or {@code {"errors": [{"message": ...}]}}
     */
    JsonNode eval(List<Module> modules, String query, String inputJson) {
        return eval(modules, query, inputJson, null);
    }

    /** Same, with a data document ({@code {"inventory": ...}}), or null for none. */
    JsonNode eval(List<Module> modules, String query, String inputJson, JsonNode data) {
        ObjectNode request = Json.MAPPER.createObjectNode().put("query", query).put("valueInput", true);
        if (data != null) {
            request.set("data", data);
        }
        ArrayNode mods = request.putArray("modules");
        modules.forEach(m -> mods.addObject().put("name", m.name()).put("source", m.source()).put("regoVersion", m.regoVersion()));
        String text = Json.MAPPER.writeValueAsString(request);
        text = text.substring(0, text.length() - 1) + ",\"input\":" + inputJson + "}";
        try {
            Process p = new ProcessBuilder(binary.toString(), "eval").redirectError(ProcessBuilder.Redirect.INHERIT).start();
            try (var in = p.getOutputStream()) {
                in.write(text.getBytes(StandardCharsets.UTF_8));
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException("OPA's Go evaluator failed: " + out);
            }
            return Json.MAPPER.readTree(out);
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + binary, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * The first error of an answer as Gatekeeper v3.23 would word it: it links OPA v1.17, whose conflict messages
     * name neither the rule nor the values that our OPA (v1.22) lists ("function data.p.f produced conflicting
     * values for the same inputs: ..."). Location and error code are OPA's own.
     */
    static String gatekeeperError(JsonNode answer) {
        String message = answer.path("errors").get(0).path("message").asString();
        Matcher m = GO_ERROR.matcher(message);
        if (!m.matches()) {
            return message;
        }
        String text = m.group(3);
        if (text.startsWith("function ") && text.contains("produced conflicting values for the same inputs")) {
            text = "functions must not produce multiple outputs for same inputs";
        } else if (text.startsWith("rule ") && text.contains("produced conflicting values")) {
            text = "complete rules must not produce multiple outputs";
        }
        return m.group(1) + ": " + m.group(2) + ": " + text;
    }
}
