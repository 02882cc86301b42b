package io.portcullis.bench;

import io.portcullis.constraint.Constraint;
import io.portcullis.constraint.EnforcementPoint;
import io.portcullis.constraint.Manifests;
import io.portcullis.constraint.Result;
import io.portcullis.constraint.Review;
import io.portcullis.constraint.TemplateCompiler;
import io.portcullis.constraint.TemplateParser;
import io.portcullis.constraint.Validator;
import io.portcullis.engine.EngineConfig;
import io.portcullis.engine.PolicyEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
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

/**
 * Whole reviews per second, in process: the gatekeeper-library's templates and sample constraints plus the
 * shipped ones, the 9 KB Pod AdmissionReview, everything a webhook request does after parsing the HTTP body
 * (normalising the request, matching every constraint, serialising the review, evaluating). {@code grouped}
 * compares templates compiled together into group modules with one module per template.
 * {@code bin/bench ReviewBenchmark} (needs ../shared).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 8, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(1)
public class ReviewBenchmark {
    static final ObjectMapper JSON = JsonMapper.builder().build();

    @Param({"true", "false"})
    public boolean grouped;

    private PolicyEngine engine;
    private Validator validator;
    private JsonNode request;
    public int constraints;

    @Setup
    public void setUp() throws Exception {
        Path project = Path.of(System.getProperty("portcullis.project.dir", "."));
        Path library = project.resolve("../shared/conformance/gatekeeper-library/library");
        engine = new PolicyEngine(EngineConfig.defaults());
        validator = new Validator(new TemplateCompiler(engine));
        for (Path dir : List.of(library, project.resolve("constraint-templates"))) {
            for (Path file : yamlFiles(dir, "template.yaml")) {
                for (ObjectNode o : Manifests.readObjects(file)) {
                    if (TemplateParser.isTemplate(o)) {
                        validator.addTemplate(TemplateParser.parse(o, file.toString()));
                    }
                }
            }
        }
        for (Path dir : List.of(library, project.resolve("examples/constraints"))) {
            for (Path file : yamlFiles(dir, null)) {
                for (ObjectNode o : Manifests.readObjects(file)) {
                    if (Constraint.isConstraint(o) && validator.template(o.path("kind").asString()).isPresent()) {
                        try {
                            validator.addConstraint(o);
                        } catch (Exception e) {
                            // a sample that does not load is left out, as the server would report it
                        }
                    }
                }
            }
        }
        if (grouped) {
            validator.prepare(Duration.ZERO);
        }
        constraints = validator.constraints().size();
        request = JSON.readTree(Files.readAllBytes(project.resolve("src/test/resources/bench/pod-admission-review.json")))
                .get("request");
        System.out.println("templates=" + validator.templates().size() + " constraints=" + constraints
                + " violations=" + review().size());
    }

    private static List<Path> yamlFiles(Path dir, String name) throws Exception {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(p -> name == null ? p.toString().contains("/samples/") && p.toString().endsWith(".yaml")
                    || p.getParent().getFileName().toString().equals("constraints") && p.toString().endsWith(".yaml")
                    : p.getFileName().toString().equals(name)).sorted().toList();
        }
    }

    @Benchmark
    public List<Result> review() throws Exception {
        return validator.review(Review.ofAdmissionRequest(request, null), EnforcementPoint.WEBHOOK);
    }

    @TearDown
    public void tearDown() {
        engine.close();
    }
}
