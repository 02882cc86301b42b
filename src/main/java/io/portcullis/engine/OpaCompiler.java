package io.portcullis.engine;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Compiles Rego to an OPA wasm module with OPA's own Go compiler: our small Go program (opa-compiler/), which
 * reads one JSON request on stdin and answers on stdout. This class speaks that protocol; the program runs
 * natively as a child process ({@link NativeOpaProgram}, the default) or inside the JVM on Chicory
 * ({@link EmbeddedOpaCompiler}).
 */
final class OpaCompiler implements AutoCloseable {
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    /** One run of the compiler program: its arguments (the mode) and stdin in, its stdout out. */
    interface Program extends AutoCloseable {
        byte[] run(List<String> args, byte[] stdin);

        @Override
        default void close() {
        }
    }

    private final Program program;
    private final String opaVersion;

    OpaCompiler(Program program) {
        this.program = program;
        this.opaVersion = run(List.of("version"), new byte[0]).trim();
    }

    /** The compiler the configuration asks for. */
    static OpaCompiler of(EngineConfig config) {
        return new OpaCompiler(switch (config.compilerMode()) {
            case NATIVE -> new NativeOpaProgram(config.compilerPath());
            case EMBEDDED -> EmbeddedOpaCompiler.open(config.compilerPath());
        });
    }

    private String run(List<String> args, byte[] stdin) {
        return new String(program.run(args, stdin), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        program.close();
    }

    /** OPA's version: part of every cache key, so a new compiler never reuses an old module. */
    String opaVersion() {
        return opaVersion;
    }

    byte[] compile(List<RegoModule> modules, List<String> entrypoints) throws PolicyCompileException {
        ObjectNode request = JSON.createObjectNode();
        ArrayNode mods = request.putArray("modules");
        for (RegoModule m : modules) {
            mods.addObject().put("name", m.name()).put("source", m.source()).put("regoVersion", m.version().wireName());
        }
        ArrayNode eps = request.putArray("entrypoints");
        entrypoints.forEach(eps::add);
        JsonNode answer = JSON.readTree(run(List.of(), JSON.writeValueAsBytes(request)));
        JsonNode errors = answer.path("errors");
        if (errors.isArray() && !errors.isEmpty()) {
            List<CompileError> list = new ArrayList<>();
            for (JsonNode e : errors) {
                list.add(new CompileError(e.path("file").asString(""), e.path("row").asInt(0), e.path("col").asInt(0),
                        e.path("code").asString("compile_error"), e.path("message").asString("")));
            }
            throw new PolicyCompileException(list);
        }
        return answer.path("wasm").binaryValue();
    }

    /** OPA's parse of the modules as the compiler program answers it; {@link #outlines} reads the answer. */
    byte[] outline(List<RegoModule> modules) {
        ObjectNode request = JSON.createObjectNode();
        ArrayNode mods = request.putArray("modules");
        for (RegoModule m : modules) {
            mods.addObject().put("name", m.name()).put("source", m.source()).put("regoVersion", m.version().wireName());
        }
        return program.run(List.of("outline"), JSON.writeValueAsBytes(request));
    }

    /** Each module's outline from an {@link #outline} answer, or empty when it does not parse (compile says why). */
    static List<Optional<ModuleOutline>> outlines(byte[] answer) {
        List<Optional<ModuleOutline>> out = new ArrayList<>();
        for (JsonNode o : JSON.readTree(answer).path("outlines")) {
            out.add(o.has("errors") ? Optional.empty() : Optional.of(toOutline(o)));
        }
        return out;
    }

    private static ModuleOutline toOutline(JsonNode o) {
        List<ModuleOutline.Import> imports = new ArrayList<>();
        o.path("imports").forEach(i -> imports.add(new ModuleOutline.Import(strings(i.path("path")), position(i.path("at")))));
        List<ModuleOutline.Rule> rules = new ArrayList<>();
        o.path("rules").forEach(r -> rules.add(new ModuleOutline.Rule(r.path("name").asString(),
                ModuleOutline.HeadKind.valueOf(r.path("head").asString()), position(r.path("at")))));
        List<ModuleOutline.Ref> refs = new ArrayList<>();
        o.path("dataRefs").forEach(r -> refs.add(new ModuleOutline.Ref(strings(r.path("constantPrefix")),
                r.path("text").asString(), position(r.path("at")))));
        List<ModuleOutline.Position> calls = new ArrayList<>();
        o.path("httpSend").forEach(p -> calls.add(position(p)));
        return new ModuleOutline(strings(o.path("package")), position(o.path("at")), imports, rules, refs, calls);
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(s -> out.add(s.asString()));
        return out;
    }

    private static ModuleOutline.Position position(JsonNode at) {
        return new ModuleOutline.Position(at.path("line").asInt(0), at.path("column").asInt(0));
    }

}
