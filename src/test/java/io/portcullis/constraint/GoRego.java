package io.portcullis.constraint;

import io.portcullis.engine.OpaEvalProgram;
import java.nio.charset.StandardCharsets;
import java.util.List;
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

    private final OpaEvalProgram program;

    private GoRego(OpaEvalProgram program) {
        this.program = program;
    }

    /** The evaluator, or the test is skipped (failed under CI=true) when the compiler binary has not been built. */
    static GoRego get() {
        return new GoRego(OpaEvalProgram.get());
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
        return Json.MAPPER.readTree(program.eval(text.getBytes(StandardCharsets.UTF_8)));
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
