package io.portcullis.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.portcullis.externaldata.ClientCertificate;
import io.portcullis.externaldata.Providers;
import io.portcullis.constraint.EnforcementPoint;
import io.portcullis.constraint.Manifests;
import io.portcullis.constraint.Result;
import io.portcullis.constraint.Review;
import io.portcullis.constraint.TemplateCompiler;
import io.portcullis.engine.CompilerMode;
import io.portcullis.engine.EngineConfig;
import io.portcullis.engine.ExecutionMode;
import io.portcullis.engine.PolicyEngine;
import io.portcullis.match.Matcher;
import io.portcullis.policy.PortcullisProperties;
import io.portcullis.policy.Readiness;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.util.unit.DataSize;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reloads that keep enforcing: the real directory source with the real compiler, polled by hand, and a Pod the
 * shipped seccomp template denies reviewed after every step. Half-written, broken and invalid template and
 * constraint files must never switch that denial off; they are reported instead.
 */
class DirectoryPolicySourceTest {

    private static final Path PROJECT =
            Path.of(System.getProperty("portcullis.project.dir", ".")).toAbsolutePath().normalize();
    private static final PolicyEngine ENGINE = new PolicyEngine(EngineConfig.defaults());
    private static final String DENIAL = "container \"web\" has no seccomp profile";

    @TempDir
    Path dir;

    private Path templateFile;
    private Path constraintFile;
    private String template;
    private String constraint;
    private ActivePolicies active;
    private PolicyFileErrors errors;
    private SimpleMeterRegistry registry;
    private DirectoryPolicySource source;

    @BeforeEach
    void start() throws Exception {
        Path templates = Files.createDirectories(dir.resolve("templates"));
        Path constraints = Files.createDirectories(dir.resolve("constraints"));
        templateFile = templates.resolve("seccomp.yaml");
        constraintFile = constraints.resolve("seccomp.yaml");
        template = Files.readString(PROJECT.resolve("constraint-templates/k8srequiredseccompprofile/template.yaml"));
        constraint = Files.readString(PROJECT.resolve("examples/constraints/k8srequiredseccompprofile.yaml"));
        Files.writeString(templateFile, template);
        Files.writeString(constraintFile, constraint);

        TemplateCompiler compiler = new TemplateCompiler(ENGINE);
        active = new ActivePolicies(compiler);
        registry = new SimpleMeterRegistry();
        errors = new PolicyFileErrors(registry);
        PortcullisProperties properties = new PortcullisProperties(templates, List.of(constraints),
                List.of(dir.resolve("no-data")), List.of(dir.resolve("no-mutations")), List.of(), "portcullis-system", List.of(), List.of(), true);
        source = new DirectoryPolicySource(properties, noWarmUp(), compiler, active, new Readiness(event -> { }), errors,
                new Providers(ClientCertificate.none()));

        source.reloadIfChanged();
        assertDenied();
        assertNoFileInError();
    }

    @AfterAll
    static void closeEngine() {
        ENGINE.close();
    }

    @Test
    void aHalfWrittenTemplateIsNotTakenWhileItIsBeingWritten() throws Exception {
        PolicySnapshot before = active.current();
        Files.writeString(templateFile, template.substring(0, template.length() / 2));
        source.reloadIfChanged();
        // Changed since the last poll: not read yet.
        assertThat(active.current()).isSameAs(before);
        assertDenied();

        Files.writeString(templateFile, template);
        source.reloadIfChanged();
        assertThat(active.current()).isSameAs(before);
        source.reloadIfChanged();
        // Complete and settled: loaded, and nothing was ever in error.
        assertThat(active.current()).isNotSameAs(before);
        assertDenied();
        assertNoFileInError();
    }

    @Test
    void aTemplateFileCutOffInTheYamlKeepsItsLastGoodVersion() throws Exception {
        // Cut inside a quoted annotation value: not YAML any more.
        settle(templateFile, template.substring(0, template.indexOf("Required Seccomp") + 8));
        assertDenied();
        assertInError(templateFile, "cannot parse", "its last good version stays in force: 1 object");

        // Retried as soon as it changes.
        settle(templateFile, template);
        assertDenied();
        assertNoFileInError();
    }

    @Test
    void aTemplateFileCutOffInTheRegoKeepsItsLastGoodVersion() throws Exception {
        // Cut inside the Rego: still YAML, but the Rego does not compile.
        settle(templateFile, template.substring(0, template.indexOf("c.profile == null")));
        assertDenied();
        assertInError(templateFile, "ConstraintTemplate k8srequiredseccompprofile: ", "rego_parse_error",
                "(the last good version stays in force)");

        settle(templateFile, template);
        assertDenied();
        assertNoFileInError();
    }

    @Test
    void aBrokenTemplateKeepsItsLastGoodVersionForAsLongAsItIsBroken() throws Exception {
        settle(templateFile, template.replace("c.profile == null", "c.profile == null +"));
        for (int poll = 0; poll < 3; poll++) {
            source.reloadIfChanged();
            assertDenied();
            assertInError(templateFile, "rego_parse_error", "(the last good version stays in force)");
        }
        // An unrelated edit elsewhere reloads everything: the broken template still falls back.
        settle(constraintFile, constraint + "\n# touched\n");
        assertDenied();
        assertInError(templateFile, "rego_parse_error", "(the last good version stays in force)");

        settle(templateFile, template);
        assertDenied();
        assertNoFileInError();
    }

    @Test
    void aConstraintFileThatDoesNotParseKeepsItsLastGoodConstraints() throws Exception {
        settle(constraintFile, constraint.replace("kinds: [\"Pod\"]", "kinds: [\"Pod\""));
        assertDenied();
        assertInError(constraintFile, "cannot parse", "its last good version stays in force: 1 object");

        settle(constraintFile, constraint);
        assertDenied();
        assertNoFileInError();
    }

    @Test
    void aConstraintTheTemplateRefusesKeepsItsLastGoodVersion() throws Exception {
        settle(constraintFile, constraint.replace("allowedProfileTypes: [\"RuntimeDefault\", \"Localhost\"]",
                "allowedProfileTypes: [\"Bogus\"]"));
        assertDenied();
        assertInError(constraintFile, "K8sRequiredSeccompProfile pods-require-seccomp-profile: ", "allowedProfileTypes",
                "(the last good version stays in force)");
    }

    @Test
    void aTemplateAndAConstraintBrokenTogetherStillEnforce() throws Exception {
        Files.writeString(templateFile, template.substring(0, template.length() / 3));
        Files.writeString(constraintFile, constraint.substring(0, constraint.length() / 2) + "\n  match: [");
        source.reloadIfChanged();
        source.reloadIfChanged();
        assertDenied();
        assertThat(errors.byFile()).containsOnlyKeys(templateFile.toString(), constraintFile.toString());
        assertThat(registry.get(PolicyFileErrors.GAUGE).gauge().value()).isEqualTo(2.0);
        Health health = errors.health();
        assertThat(health.getStatus()).isEqualTo(Status.UP);
        assertThat(health.getDetails()).containsKey("filesInError");
        assertThat(active.current().problems()).hasSize(2);
    }

    @Test
    void removingTheFilesOnPurposeStillRemovesTheirPolicies() throws Exception {
        Files.delete(constraintFile);
        source.reloadIfChanged();
        source.reloadIfChanged();
        assertThat(review()).isEmpty();
        assertNoFileInError();

        // A template that never compiled has no last good version: it enforces nothing, and says so.
        Files.writeString(constraintFile, constraint);
        Files.delete(templateFile);
        settle(dir.resolve("templates/other.yaml"), template.replace("c.profile == null", "c.profile == null +"));
        assertThat(review()).isEmpty();
        assertThat(errors.byFile()).containsOnlyKeys(dir.resolve("templates/other.yaml").toString(),
                constraintFile.toString());
    }

    // ---- helpers ----

    /** Writes the file, then polls twice: the change is seen, then taken once it has stayed the same. */
    private void settle(Path file, String content) throws Exception {
        Files.writeString(file, content);
        source.reloadIfChanged();
        source.reloadIfChanged();
    }

    private List<Result> review() throws Exception {
        ObjectNode pod = Manifests.readObjects("""
                apiVersion: v1
                kind: Pod
                metadata: {name: web, namespace: default}
                spec:
                  containers: [{name: web, image: nginx}]
                """, "pod.yaml").getFirst();
        return active.current().validator().review(Review.ofObject(pod, null, Matcher.Source.ORIGINAL),
                EnforcementPoint.AUDIT);
    }

    private void assertDenied() throws Exception {
        assertThat(review()).singleElement().satisfies(r -> {
            assertThat(r.isDeny()).isTrue();
            assertThat(r.msg()).startsWith(DENIAL);
        });
    }

    private void assertNoFileInError() {
        assertThat(errors.byFile()).isEmpty();
        assertThat(registry.get(PolicyFileErrors.GAUGE).gauge().value()).isZero();
        assertThat(errors.health().getDetails()).isEmpty();
        assertThat(active.current().problems()).isEmpty();
    }

    private void assertInError(Path file, String... fragments) {
        Map<String, List<String>> byFile = errors.byFile();
        assertThat(byFile).containsOnlyKeys(file.toString());
        assertThat(byFile.get(file.toString())).singleElement().satisfies(message -> assertThat(message).contains(fragments));
        assertThat(registry.get(PolicyFileErrors.GAUGE).gauge().value()).isEqualTo(1.0);
        assertThat(errors.health().getStatus()).isEqualTo(Status.UP);
        assertThat(active.current().problems()).singleElement()
                .satisfies(p -> assertThat(p).startsWith(file + ": ").contains(fragments[0]));
    }

    @Test
    void infinityInAConstraintIsAProblemNamingFileAndField(@TempDir Path dir) throws Exception {
        Path templates = Files.createDirectories(dir.resolve("templates"));
        Path constraints = Files.createDirectories(dir.resolve("constraints"));
        Files.writeString(templates.resolve("t.yaml"), """
                apiVersion: templates.gatekeeper.sh/v1
                kind: ConstraintTemplate
                metadata: {name: k8smax}
                spec:
                  crd:
                    spec:
                      names: {kind: K8sMax}
                      validation:
                        openAPIV3Schema:
                          type: object
                          properties:
                            max: {type: number}
                  targets:
                  - target: admission.k8s.gatekeeper.sh
                    rego: |
                      package k8smax
                      violation[{"msg": "too many"}] { input.review.object.spec.replicas > input.parameters.max }
                """);
        Files.writeString(constraints.resolve("inf.yaml"), """
                apiVersion: constraints.gatekeeper.sh/v1beta1
                kind: K8sMax
                metadata: {name: unbounded}
                spec:
                  parameters: {max: .inf}
                """);
        Files.writeString(constraints.resolve("fine.yaml"), """
                apiVersion: constraints.gatekeeper.sh/v1beta1
                kind: K8sMax
                metadata: {name: three}
                spec:
                  parameters: {max: 3}
                """);
        try (PolicyEngine engine = new PolicyEngine(EngineConfig.defaults())) {
            TemplateCompiler compiler = new TemplateCompiler(engine);
            PortcullisProperties properties = new PortcullisProperties(templates, List.of(constraints), List.of(),
                    List.of(), List.of(), "portcullis-system", List.of(), List.of(), true);
            PolicySnapshot snapshot = new DirectoryPolicySource(properties, noWarmUp(), compiler,
                    new ActivePolicies(compiler), new Readiness(event -> { }),
                    new PolicyFileErrors(new SimpleMeterRegistry()), new Providers(ClientCertificate.none())).load();
            assertThat(snapshot.problems()).singleElement().asString()
                    .startsWith(constraints.resolve("inf.yaml") + ": spec.parameters.max: .inf is not a number JSON can hold");
            assertThat(snapshot.validator().constraints()).extracting(c -> c.name()).containsExactly("three");
        }
    }

    /** Providers sit beside the constraints, as gator reads them; one Gatekeeper refuses is a file in error. */
    @Test
    void providersInTheConstraintsDirectoriesGoIntoForceAndAnInvalidOneIsAProblem(@TempDir Path root) throws Exception {
        Path templates = Files.createDirectories(root.resolve("templates"));
        Path constraints = Files.createDirectories(root.resolve("constraints"));
        String caBundle = java.util.Base64.getEncoder().encodeToString(io.portcullis.tls.Pem.encode(
                io.portcullis.e2e.TestPki.newCa("provider-ca").caCertificate()).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        Files.writeString(constraints.resolve("good.yaml"), """
                apiVersion: externaldata.gatekeeper.sh/v1beta1
                kind: Provider
                metadata: {name: good}
                spec: {url: "https://checker.example/validate", timeout: 3, caBundle: %s}
                """.formatted(caBundle));
        Files.writeString(constraints.resolve("plain.yaml"), """
                apiVersion: externaldata.gatekeeper.sh/v1alpha1
                kind: Provider
                metadata: {name: plain}
                spec: {url: "http://checker.example/validate", timeout: 3}
                """);
        Providers providers = new Providers(ClientCertificate.none());
        try (PolicyEngine engine = new PolicyEngine(EngineConfig.defaults())) {
            TemplateCompiler compiler = new TemplateCompiler(engine);
            PortcullisProperties properties = new PortcullisProperties(templates, List.of(constraints), List.of(),
                    List.of(), List.of(), "portcullis-system", List.of(), List.of(), true);
            PolicySnapshot snapshot = new DirectoryPolicySource(properties, noWarmUp(), compiler,
                    new ActivePolicies(compiler), new Readiness(event -> { }),
                    new PolicyFileErrors(new SimpleMeterRegistry()), providers).load();
            assertThat(snapshot.problems()).containsExactly(constraints.resolve("plain.yaml")
                    + ": Provider plain: only HTTPS scheme is supported for Providers");
            assertThat(providers.names()).containsExactly("good");
            assertThat(providers.active()).isEqualTo(1);
            assertThat(providers.inError()).isEqualTo(1);
        }
    }

    private static EngineProperties noWarmUp() {
        return new EngineProperties(CompilerMode.NATIVE, null, null, Duration.ofSeconds(2), DataSize.ofMegabytes(256), 0,
                ExecutionMode.COMPILED, Duration.ZERO);
    }
}
