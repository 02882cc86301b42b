package io.portcullis.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portcullis.engine.PolicyEvaluationException.Reason;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

class PolicyEngineTest {
    static final ObjectMapper JSON = JsonMapper.builder().build();
    static PolicyEngine engine;

    @BeforeAll
    static void start() {
        engine = new PolicyEngine(EngineConfig.defaults());
    }

    @AfterAll
    static void stop() {
        engine.close();
    }

    static CompiledPolicy compileV1(String name, String source, String entrypoint) throws PolicyCompileException {
        return engine.compile(List.of(new RegoModule(name, source, RegoVersion.V1)), List.of(entrypoint));
    }

    @Test
    void evaluatesAGatekeeperLibraryTemplateOnItsSampleObjects() throws Exception {
        TestPolicies.Template t = TestPolicies.template("general/requiredlabels");
        CompiledPolicy policy = engine.compile(t.modules(), List.of(t.violation()));
        PolicyEvaluator evaluator = policy.withData(JSON.createObjectNode());
        Path samples = t.dir().resolve("samples/all-must-have-owner");
        JsonNode parameters = TestPolicies.YAML.readTree(samples.resolve("constraint.yaml").toFile()).path("spec").path("parameters");

        JsonNode allowed = evaluator.evaluate(t.violation(), input(samples.resolve("example_allowed.yaml"), parameters));
        JsonNode disallowed = evaluator.evaluate(t.violation(), input(samples.resolve("example_disallowed.yaml"), parameters));

        assertThat(allowed).isNotNull();
        assertThat(allowed.isArray()).isTrue();
        assertThat(allowed).isEmpty();
        assertThat(disallowed).hasSize(1);
        assertThat(disallowed.get(0).path("msg").asString()).isEqualTo("All namespaces must have an `owner` label that points to your company username");
        assertThat(disallowed.get(0).path("details").path("missing_labels").get(0).asString()).isEqualTo("owner");
    }

    private static JsonNode input(Path object, JsonNode parameters) {
        ObjectNode in = JSON.createObjectNode();
        in.putObject("review").set("object", TestPolicies.YAML.readTree(object.toFile()));
        in.set("parameters", parameters);
        return in;
    }

    @Test
    void syntaxErrorCarriesModuleLineAndColumn() {
        String rego = "package bad\n\nviolation[{\"msg\": m}] {\n  m := = 1\n}\n";
        assertThatThrownBy(() -> engine.compile(List.of(RegoModule.v0("bad.rego", rego)), List.of("bad/violation")))
                .isInstanceOfSatisfying(PolicyCompileException.class, e -> {
                    CompileError err = e.errors().get(0);
                    assertThat(err.module()).isEqualTo("bad.rego");
                    assertThat(err.line()).isEqualTo(4);
                    assertThat(err.column()).isEqualTo(8);
                    assertThat(err.code()).isEqualTo("rego_parse_error");
                    assertThat(e.getMessage()).startsWith("bad.rego:4:8: rego_parse_error:");
                });
    }

    @Test
    void compileErrorOfATypeCheckSaysWhere() {
        String rego = "package t\n\nviolation[{\"msg\": m}] {\n  m := concat(1)\n}\n";
        assertThatThrownBy(() -> engine.compile(List.of(RegoModule.v0("t.rego", rego)), List.of("t/violation")))
                .isInstanceOfSatisfying(PolicyCompileException.class, e -> {
                    assertThat(e.errors().get(0).line()).isEqualTo(4);
                    assertThat(e.errors().get(0).code()).isEqualTo("rego_type_error");
                });
    }

    @Test
    void aBuiltinNobodyImplementsIsRejectedWhenCompiled() {
        String rego = "package t\nimport rego.v1\nr := http.send({\"method\": \"get\", \"url\": input.u}) if input.u\n";
        assertThatThrownBy(() -> compileV1("t.rego", rego, "t/r"))
                .isInstanceOf(PolicyCompileException.class)
                .hasMessageContaining("http.send");
    }

    @Test
    void aModuleWhoseConstantsOutgrowTheDeclaredMemoryIsInstantiated() throws Exception {
        // OPA's compiler declares 2 pages (128 KiB) of memory whatever the module's data segments hold; 300 KiB of
        // string constants (as a group of many templates has) reach past them.
        StringBuilder rego = new StringBuilder("package big\nimport rego.v1\nmessages := [\n");
        for (int i = 0; i < 3000; i++) {
            rego.append("  \"").append(String.format("message %04d ", i)).append("x".repeat(90)).append("\",\n");
        }
        rego.append("]\npicked := messages[input.i]\n");
        CompiledPolicy policy = compileV1("big.rego", rego.toString(), "big/picked");
        assertThat(policy.initialPages()).isGreaterThan(2);
        assertThat(policy.withData(null).evaluate("big/picked", JSON.readTree("{\"i\": 2999}")).asString())
                .startsWith("message 2999 xxx");
    }

    @Test
    void theMemoryCoversTheDataSegmentsWhereTheModuleDeclaresLess() {
        // What OPA's compiler emitted for a group of 24 library templates: a memory import of 2 pages and data
        // reaching past them (130,050 + 3,569 bytes), which could not be instantiated. Here: 1 page declared, 100
        // bytes of data at 65,530.
        ByteArrayOutputStream wasm = new ByteArrayOutputStream();
        wasm.writeBytes(new byte[] {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00});
        byte[] imports = {0x01, 0x03, 'e', 'n', 'v', 0x06, 'm', 'e', 'm', 'o', 'r', 'y', 0x02, 0x00, 0x01};
        wasm.write(0x02);
        wasm.write(imports.length);
        wasm.writeBytes(imports);
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        data.writeBytes(new byte[] {0x01, 0x00, 0x41, (byte) 0xFA, (byte) 0xFF, 0x03, 0x0b, 100});
        data.writeBytes(new byte[100]);
        wasm.write(0x0b);
        wasm.write(data.size());
        wasm.writeBytes(data.toByteArray());

        assertThat(CompiledPolicy.pagesForData(com.dylibso.chicory.wasm.Parser.parse(wasm.toByteArray()))).isEqualTo(2);
    }

    @Test
    void hostBuiltinsAreCalledWithSetsIntact() throws Exception {
        String rego = "package t\nimport rego.v1\nr := sprintf(\"%v %v %d\", [{1, 2}, input.x, 10000000000])\n"
                + "p := strings.any_prefix_match(input.names, [\"kube-\", \"gatekeeper\"])\n";
        CompiledPolicy policy = compileV1("t.rego", rego, "t/r");
        assertThat(policy.builtins()).contains("sprintf");
        PolicyEvaluator ev = policy.withData(null);
        assertThat(ev.evaluate("t/r", JSON.readTree("{\"x\": [\"a\", 1]}")).asString()).isEqualTo("{1, 2} [\"a\", 1] 10000000000");
        CompiledPolicy prefix = compileV1("p.rego", rego, "t/p");
        assertThat(prefix.withData(null).evaluate("t/p", JSON.readTree("{\"names\": [\"x\", \"kube-system\"]}")).asBoolean()).isTrue();
        assertThat(prefix.withData(null).evaluate("t/p", JSON.readTree("{\"names\": [\"default\"]}")).asBoolean()).isFalse();
    }

    @Test
    void undefinedIsNull() throws Exception {
        CompiledPolicy policy = compileV1("t.rego", "package t\nimport rego.v1\nallow if input.ok\n", "t/allow");
        assertThat(policy.withData(null).evaluate("t/allow", JSON.readTree("{}"))).isNull();
        assertThat(policy.withData(null).evaluate("t/allow", JSON.readTree("{\"ok\": true}")).asBoolean()).isTrue();
    }

    @Test
    void dataStaysResidentAcrossEvaluations() throws Exception {
        CompiledPolicy policy = compileV1("t.rego", "package t\nimport rego.v1\nowner := data.owners[input.ns]\n", "t/owner");
        PolicyEvaluator ev = policy.withData(JSON.readTree("{\"owners\": {\"a\": \"alice\", \"b\": \"bob\"}}"));
        for (int i = 0; i < 50; i++) {
            assertThat(ev.evaluate("t/owner", JSON.readTree("{\"ns\": \"a\"}")).asString()).isEqualTo("alice");
            assertThat(ev.evaluate("t/owner", JSON.readTree("{\"ns\": \"b\"}")).asString()).isEqualTo("bob");
        }
    }

    @Test
    void runawayPolicyIsStoppedAtItsDeadline() throws Exception {
        try (PolicyEngine fast = new PolicyEngine(EngineConfig.defaults().withEvaluationDeadline(Duration.ofMillis(300)))) {
            String rego = "package t\nimport rego.v1\n"
                    + "spin := count([1 | some a in numbers.range(1, 40000); some b in numbers.range(1, 40000); a == b + 7])\n";
            PolicyEvaluator ev = fast.compile(List.of(new RegoModule("t.rego", rego, RegoVersion.V1)), List.of("t/spin")).withData(null);
            assertThatThrownBy(() -> ev.evaluate("t/spin", JSON.createObjectNode()))
                    .isInstanceOfSatisfying(PolicyEvaluationException.class,
                            e -> assertThat(e.reason()).isEqualTo(Reason.DEADLINE_EXCEEDED));
            // The thread's interrupt flag does not leak into what it does next.
            assertThat(Thread.currentThread().isInterrupted()).isFalse();
        }
    }

    @Test
    void memoryIsCappedPerInstance() throws Exception {
        try (PolicyEngine small = new PolicyEngine(EngineConfig.defaults().withMaxMemoryPages(64))) {
            String rego = "package t\nimport rego.v1\nbig := count([[x, \"padding\"] | some x in numbers.range(1, 2000000)])\n";
            PolicyEvaluator ev = small.compile(List.of(new RegoModule("t.rego", rego, RegoVersion.V1)), List.of("t/big")).withData(null);
            assertThatThrownBy(() -> ev.evaluate("t/big", JSON.createObjectNode()))
                    .isInstanceOfSatisfying(PolicyEvaluationException.class,
                            e -> assertThat(e.reason()).isEqualTo(Reason.MEMORY_LIMIT));
            byte[] hugeInput = ("{\"s\": \"" + "x".repeat(5 * 1024 * 1024) + "\"}").getBytes();
            assertThatThrownBy(() -> ev.evaluate("t/big", hugeInput))
                    .isInstanceOfSatisfying(PolicyEvaluationException.class,
                            e -> assertThat(e.reason()).isEqualTo(Reason.MEMORY_LIMIT));
        }
    }

    @Test
    void conflictingValuesAreReported() throws Exception {
        String rego = "package t\nimport rego.v1\nx := 1 if input.a\nx := 2 if input.b\n";
        PolicyEvaluator ev = compileV1("t.rego", rego, "t/x").withData(null);
        assertThat(ev.evaluate("t/x", JSON.readTree("{\"a\": true}")).asInt()).isEqualTo(1);
        assertThatThrownBy(() -> ev.evaluate("t/x", JSON.readTree("{\"a\": true, \"b\": true}")))
                .isInstanceOfSatisfying(PolicyEvaluationException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.RUNTIME_ERROR);
                    assertThat(e.getMessage()).contains("t.rego");
                });
        // The failed instance was thrown away; the evaluator still works.
        assertThat(ev.evaluate("t/x", JSON.readTree("{\"b\": true}")).asInt()).isEqualTo(2);
    }

    @Test
    void deeplyNestedInputIsAnErrorNotACrash() throws Exception {
        PolicyEvaluator ev = compileV1("t.rego", "package t\nimport rego.v1\nn := count(input)\n", "t/n").withData(null);
        byte[] deep = ("[".repeat(200_000) + "]".repeat(200_000)).getBytes();
        assertThatThrownBy(() -> ev.evaluate("t/n", deep)).isInstanceOf(PolicyEvaluationException.class);
        assertThat(ev.evaluate("t/n", "[1,2,3]".getBytes()).asInt()).isEqualTo(3);
    }

    @Test
    void unknownEntrypointIsABadRequest() throws Exception {
        PolicyEvaluator ev = compileV1("t.rego", "package t\nimport rego.v1\nn := 1\n", "t/n").withData(null);
        assertThatThrownBy(() -> ev.evaluate("t/missing", JSON.createObjectNode()))
                .isInstanceOfSatisfying(PolicyEvaluationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.BAD_REQUEST));
    }

    @Test
    void manyThreadsShareOneEvaluator() throws Exception {
        CompiledPolicy policy = compileV1("t.rego", "package t\nimport rego.v1\nsq := input.n * input.n\n", "t/sq");
        PolicyEvaluator ev = policy.withData(null);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int base = t * 1000;
                Callable<Boolean> job = () -> {
                    for (int i = base; i < base + 200; i++) {
                        if (ev.evaluate("t/sq", JSON.readTree("{\"n\": " + i + "}")).asLong() != (long) i * i) {
                            return false;
                        }
                    }
                    return true;
                };
                results.add(pool.submit(job));
            }
            for (Future<Boolean> r : results) {
                assertThat(r.get()).isTrue();
            }
        } finally {
            pool.shutdown();
        }
        assertThat(ev.idleInstances()).isBetween(1, EngineConfig.defaults().maxInstancesPerPolicy());
    }

    @Test
    void compiledModulesAndOutlinesAreCachedOnDiskAcrossRestarts(@TempDir Path tmp) throws Exception {
        // A wrapper around the real compiler that logs every call, to see which engine compiled what.
        Path log = tmp.resolve("calls.log");
        Path real = new NativeOpaProgram(null).executable();
        Path wrapper = tmp.resolve("compiler.sh");
        Files.writeString(wrapper, "#!/bin/sh\necho \"${1:-compile}\" >> " + log + "\nexec " + real + " \"$@\"\n");
        wrapper.toFile().setExecutable(true);
        EngineConfig config = EngineConfig.defaults().withCompilerPath(wrapper).withCacheDir(tmp.resolve("cache"));
        String rego = "package t\nimport rego.v1\nn := input.n + 1\n";
        try (PolicyEngine first = new PolicyEngine(config)) {
            first.outline(List.of(new RegoModule("t.rego", rego, RegoVersion.V1)));
            first.compile(List.of(new RegoModule("t.rego", rego, RegoVersion.V1)), List.of("t/n"));
            first.compile(List.of(new RegoModule("t.rego", rego, RegoVersion.V1)), List.of("t/n"));
        }
        try (PolicyEngine second = new PolicyEngine(config)) {
            // The template checks read OPA's parse: from disk too, the same as the compiler gave it.
            assertThat(second.outline(List.of(new RegoModule("t.rego", rego, RegoVersion.V1))).getFirst())
                    .hasValueSatisfying(o -> assertThat(o.packagePath()).containsExactly("t"));
            CompiledPolicy p = second.compile(List.of(new RegoModule("t.rego", rego, RegoVersion.V1)), List.of("t/n"));
            assertThat(p.withData(null).evaluate("t/n", JSON.readTree("{\"n\": 41}")).asInt()).isEqualTo(42);
            // A changed source is a different key.
            second.compile(List.of(new RegoModule("t.rego", rego + "m := 2\n", RegoVersion.V1)), List.of("t/n"));
        }
        assertThat(Files.readAllLines(log)).startsWith("version", "outline", "compile", "version", "compile");
        try (var files = Files.list(tmp.resolve("cache/wasm"))) {
            assertThat(files.count()).isEqualTo(2);
        }
        // Each module's description is kept beside it (the second engine evaluated from one above); an unreadable
        // one is a cache miss: the module is parsed and probed again.
        try (var files = Files.list(tmp.resolve("cache/describe"))) {
            for (Path file : files.toList()) {
                Files.writeString(file, "{\"initialPages\": \"not a description\"}");
            }
        }
        try (PolicyEngine third = new PolicyEngine(config)) {
            CompiledPolicy p = third.compile(List.of(new RegoModule("t.rego", rego, RegoVersion.V1)), List.of("t/n"));
            assertThat(p.entrypoints()).containsExactly("t/n");
            assertThat(p.withData(null).evaluate("t/n", JSON.readTree("{\"n\": 1}")).asInt()).isEqualTo(2);
        }
    }

    @Test
    void interpreterGivesTheSameAnswer() throws Exception {
        try (PolicyEngine interp = new PolicyEngine(EngineConfig.defaults().withExecutionMode(ExecutionMode.INTERPRETED))) {
            String rego = "package t\nimport rego.v1\nr := sprintf(\"%s-%d\", [upper(input.s), count(input.s)])\n";
            PolicyEvaluator ev = interp.compile(List.of(new RegoModule("t.rego", rego, RegoVersion.V1)), List.of("t/r")).withData(null);
            assertThat(ev.evaluate("t/r", JSON.readTree("{\"s\": \"abc\"}")).asString()).isEqualTo("ABC-3");
        }
    }

    static String read(Path p) throws IOException {
        return Files.readString(p);
    }
}
