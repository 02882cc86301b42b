package io.portcullis.engine;

import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Runs Rego unit tests (rules named {@code test_*}) with OPA's own test runner, through the {@code test} mode of
 * our compiler program (opa-compiler/test.go): the verdicts and the report are those of {@code opa test} on the
 * OPA version that compiles the policies, not a re-implementation.
 */
public final class RegoTestRunner {
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    /** What OPA's runner reported: its text (as {@code opa test} prints it) and the counts of test rules. */
    public record Report(String text, int passed, int failed, int errored, int skipped) {
        public int total() {
            return passed + failed + errored + skipped;
        }

        /** Every test ran and passed, and there was at least one. */
        public boolean succeeded() {
            return failed == 0 && errored == 0 && passed > 0;
        }
    }

    private final EngineConfig config;

    public RegoTestRunner(EngineConfig config) {
        this.config = config;
    }

    /**
     * @param run a regular expression selecting tests by name, as {@code opa test --run}; null for all
     * @throws PolicyCompileException when a module does not parse or compile: no test ran
     */
    public Report run(List<RegoModule> modules, String run, boolean verbose) throws PolicyCompileException {
        ObjectNode request = JSON.createObjectNode();
        ArrayNode mods = request.putArray("modules");
        for (RegoModule m : modules) {
            mods.addObject().put("name", m.name()).put("source", m.source()).put("regoVersion", m.version().wireName());
        }
        if (run != null) {
            request.put("run", run);
        }
        request.put("verbose", verbose);
        JsonNode answer;
        try (OpaCompiler.Program program = program()) {
            answer = JSON.readTree(program.run(List.of("test"), JSON.writeValueAsBytes(request)));
        }
        JsonNode errors = answer.path("errors");
        if (errors.isArray() && !errors.isEmpty()) {
            List<CompileError> list = new ArrayList<>();
            for (JsonNode e : errors) {
                list.add(new CompileError(e.path("file").asString(""), e.path("row").asInt(0), e.path("col").asInt(0),
                        e.path("code").asString("compile_error"), e.path("message").asString("")));
            }
            throw new PolicyCompileException(list);
        }
        return new Report(answer.path("report").asString(""), answer.path("passed").asInt(0),
                answer.path("failed").asInt(0), answer.path("errored").asInt(0), answer.path("skipped").asInt(0));
    }

    private OpaCompiler.Program program() {
        return switch (config.compilerMode()) {
            case NATIVE -> new NativeOpaProgram(config.compilerPath());
            case EMBEDDED -> EmbeddedOpaCompiler.open(config.compilerPath());
        };
    }
}
