package io.portcullis.bench;

import io.portcullis.engine.CompiledPolicy;
import io.portcullis.engine.EngineConfig;
import io.portcullis.engine.ExecutionMode;
import io.portcullis.engine.PolicyEngine;
import io.portcullis.engine.PolicyEvaluator;
import io.portcullis.engine.RegoModule;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Evaluations per second of two Gatekeeper-style templates on a realistic 9 KB Pod AdmissionReview, compiled
 * bytecode vs interpreter; run with -t 1 and -t 2 (see bin/bench). Every evaluation includes serialising the
 * input and parsing it inside wasm, as a webhook request does. The warm-up is long on purpose: the JIT takes
 * about a minute to compile Chicory's large generated methods, and shorter runs measure that ramp.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 10, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(1)
public class EvaluationBenchmark {
    static final ObjectMapper JSON = JsonMapper.builder().build();
    static final ObjectMapper YAML = YAMLMapper.builder().build();

    @Param({"k8srequiredlabels", "k8spspallowedusers"})
    public String template;

    @Param({"COMPILED", "INTERPRETED"})
    public ExecutionMode mode;

    private PolicyEngine engine;
    private PolicyEvaluator evaluator;
    private String entrypoint;
    private byte[] input;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        // The interpreter needs far longer than the 2 s production deadline for some templates.
        engine = new PolicyEngine(EngineConfig.defaults().withExecutionMode(mode).withEvaluationDeadline(Duration.ofMinutes(1)));
        Fixture f = Fixture.of(template);
        entrypoint = f.entrypoint();
        evaluator = engine.compile(f.modules(), List.of(entrypoint)).withData(JSON.createObjectNode());
        input = JSON.writeValueAsBytes(f.input());
        JsonNode sample = evaluator.evaluate(entrypoint, input);
        if (sample == null || !sample.isArray()) {
            throw new IllegalStateException("benchmark policy gave no violation set: " + sample);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        engine.close();
    }

    @Benchmark
    public JsonNode evaluate() throws Exception {
        return evaluator.evaluate(entrypoint, input);
    }

    /** Time to compile a template from Rego to a loaded policy: OPA compile, wasm parse, bytecode compile. */
    @State(Scope.Benchmark)
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 3)
    @Measurement(iterations = 10)
    @Fork(1)
    public static class Compile {
        @Param({"k8srequiredlabels", "k8spspallowedusers"})
        public String template;

        private final AtomicInteger unique = new AtomicInteger();
        private PolicyEngine engine;
        private Fixture fixture;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            engine = new PolicyEngine(EngineConfig.defaults());
            fixture = Fixture.of(template);
        }

        @Benchmark
        public CompiledPolicy compile() throws Exception {
            // A comment that changes every time defeats the module cache: this measures a real compile.
            List<RegoModule> modules = fixture.modules().stream()
                    .map(m -> new RegoModule(m.name(), m.source() + "\n# " + unique.incrementAndGet() + "\n", m.version()))
                    .toList();
            return engine.compile(modules, List.of(fixture.entrypoint()));
        }
    }

    record Fixture(List<RegoModule> modules, String entrypoint, JsonNode input) {
        static Fixture of(String template) throws IOException {
            JsonNode review = JSON.readTree(resource("pod-admission-review.json"));
            ObjectNode input = JSON.createObjectNode();
            input.set("review", review.path("request"));
            return switch (template) {
                case "k8srequiredlabels" -> {
                    input.set("parameters", JSON.readTree("{\"labels\": [{\"key\": \"team\", \"allowedRegex\": \"^[a-z]+$\"}, {\"key\": \"owner\"}]}"));
                    yield new Fixture(List.of(RegoModule.v0("k8srequiredlabels.rego", libraryRego("general/requiredlabels"))),
                            "k8srequiredlabels/violation", input);
                }
                case "k8spspallowedusers" -> {
                    input.set("parameters", JSON.readTree("{\"runAsUser\": {\"rule\": \"MustRunAs\", \"ranges\": [{\"min\": 100, \"max\": 200}]},"
                            + " \"runAsGroup\": {\"rule\": \"MustRunAsNonRoot\"}, \"fsGroup\": {\"rule\": \"MustRunAs\", \"ranges\": [{\"min\": 1, \"max\": 1000}]},"
                            + " \"supplementalGroups\": {\"rule\": \"MustRunAs\", \"ranges\": [{\"min\": 1, \"max\": 5000}]}}"));
                    yield new Fixture(List.of(RegoModule.v0("k8spspallowedusers.rego", resource("k8spspallowedusers-like.rego"))),
                            "k8spspallowedusers/violation", input);
                }
                default -> throw new IllegalArgumentException(template);
            };
        }

        /** The template's Rego from the shared gatekeeper-library corpus (read there, not copied). */
        static String libraryRego(String dir) {
            Path file = Path.of(System.getProperty("portcullis.project.dir", "."))
                    .resolve("../shared/conformance/gatekeeper-library/library").resolve(dir).resolve("template.yaml");
            if (!Files.exists(file)) {
                throw new IllegalStateException("the benchmark reads " + file + " (the shared gatekeeper-library corpus)");
            }
            for (JsonNode code : YAML.readTree(file.toFile()).path("spec").path("targets").get(0).path("code")) {
                if ("Rego".equals(code.path("engine").asString())) {
                    return code.path("source").path("rego").asString();
                }
            }
            throw new IllegalStateException("no Rego in " + file);
        }

        static String resource(String name) throws IOException {
            try (InputStream in = EvaluationBenchmark.class.getResourceAsStream("/bench/" + name)) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        }
    }
}
