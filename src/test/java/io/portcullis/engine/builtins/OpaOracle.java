package io.portcullis.engine.builtins;

import io.portcullis.engine.OpaEvalProgram;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * OPA itself, as the reference for our builtins: runs `opa-wasm-compiler eval` (OPA's Go evaluator) on Rego
 * expressions. Many expressions go to one process as the rules of one module, since each process start costs
 * tens of milliseconds (in batches of a few hundred, since OPA's compile time grows faster than the module);
 * an expression that comes back undefined is re-run alone with strict builtin errors to tell an error from
 * undefined.
 */
final class OpaOracle {
    /** What OPA made of one expression. */
    sealed interface Outcome {}

    record Value(JsonNode value) implements Outcome {}

    record Undefined() implements Outcome {}

    record Failure(String code, String message) implements Outcome {}

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Pattern EVAL_ERROR = Pattern.compile("^(?:[^:]*:\\d+: )?(eval_\\w+|rego_\\w+): (.*)$", Pattern.DOTALL);
    static final String PRELUDE = "package oracle\n\n";

    private static final int BATCH = 400;
    private static final Executor ALONE = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "opa-oracle");
        t.setDaemon(true);
        return t;
    });

    private final OpaEvalProgram program;

    private OpaOracle(OpaEvalProgram program) {
        this.program = program;
    }

    /** The oracle, or the test is skipped (failed under CI=true) when the compiler binary has not been built. */
    static OpaOracle get() {
        return new OpaOracle(OpaEvalProgram.get());
    }

    /**
     * A Rego literal hidden from OPA's type checker (object.get returns any), so that a wrongly typed argument
     * reaches the builtin instead of failing compilation. Not a function of our own: OPA memoizes function calls
     * by argument value, and 1 equals 1.0, so id(1.0) could return an earlier call's 1.
     */
    static String untyped(String literal) {
        return "object.get({\"v\": " + literal + "}, \"v\", null)";
    }

    /** Evaluates each expression, e.g. {@code sprintf("%v", [1])}, in as few OPA processes as possible. */
    List<Outcome> evaluate(List<String> expressions) {
        List<Outcome> outcomes = new ArrayList<>(expressions.size());
        // OPA's compile time grows faster than linearly with the number of rules in a module.
        for (int from = 0; from < expressions.size(); from += BATCH) {
            outcomes.addAll(evaluateBatch(expressions.subList(from, Math.min(expressions.size(), from + BATCH))));
        }
        return outcomes;
    }

    private List<Outcome> evaluateBatch(List<String> expressions) {
        StringBuilder module = new StringBuilder(PRELUDE);
        for (int i = 0; i < expressions.size(); i++) {
            module.append("r").append(i).append(" := ").append(expressions.get(i)).append("\n");
        }
        JsonNode answer = run(module.toString(), false);
        // Undefined, an error, or (when the module did not compile) anything: find out one at a time.
        List<CompletableFuture<Outcome>> outcomes = new ArrayList<>();
        JsonNode results = answer.path("results").path(0).path("x");
        for (int i = 0; i < expressions.size(); i++) {
            JsonNode value = answer.has("errors") ? null : results.get("r" + i);
            String expression = expressions.get(i);
            outcomes.add(value != null ? CompletableFuture.completedFuture(new Value(value))
                    : CompletableFuture.supplyAsync(() -> evaluateAlone(expression), ALONE));
        }
        return outcomes.stream().map(CompletableFuture::join).toList();
    }

    private Outcome evaluateAlone(String expression) {
        JsonNode answer = run(PRELUDE + "r0 := " + expression + "\n", true);
        if (answer.has("errors")) {
            String message = answer.path("errors").path(0).path("message").stringValue();
            Matcher m = EVAL_ERROR.matcher(message);
            return m.matches() ? new Failure(m.group(1), m.group(2))
                    : new Failure(answer.path("errors").path(0).path("code").stringValue(), message);
        }
        JsonNode value = answer.path("results").path(0).path("x").get("r0");
        return value != null ? new Value(value) : new Undefined();
    }

    private JsonNode run(String module, boolean strict) {
        ObjectNode request = JSON.createObjectNode();
        request.put("query", "x := data.oracle");
        request.put("strictBuiltinErrors", strict);
        ObjectNode m = request.putArray("modules").addObject();
        m.put("name", "oracle.rego");
        m.put("source", module);
        m.put("regoVersion", "v1");
        // RegoValues.parse reads JSON too, and keeps each number's text as OPA wrote it.
        return RegoValues.parse(program.eval(JSON.writeValueAsBytes(request)).strip());
    }
}
