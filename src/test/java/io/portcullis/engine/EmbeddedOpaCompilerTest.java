package io.portcullis.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The wasip1 build of our OPA compiler, run inside the JVM, must produce what the native build produces:
 * byte for byte the same wasm, the same errors, the same OPA version. Slow: without the build-time
 * translation (-Pembedded-compiler) Chicory translates the 40 MB module at startup (about 40 s, 1-3 GB heap).
 */
@Tag("slow")
class EmbeddedOpaCompilerTest {
    private static OpaCompiler embedded;
    private static OpaCompiler nativeCompiler;

    @BeforeAll
    static void start() {
        nativeCompiler = new OpaCompiler(new NativeOpaProgram(null));
        embedded = new OpaCompiler(EmbeddedOpaCompiler.open(EmbeddedOpaCompiler.precompiledAvailable() ? null : builtWasm()));
    }

    @AfterAll
    static void stop() {
        if (embedded != null) {
            embedded.close();
        }
    }

    /** The Maven build writes the wasip1 module next to the native binary, in the build directory. */
    private static Path builtWasm() {
        try {
            Path classes = Path.of(EmbeddedOpaCompiler.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path wasm = classes.resolveSibling("opa-compiler").resolve("opa-wasm-compiler.wasm");
            if (!Files.isRegularFile(wasm)) {
                throw new IllegalStateException("no wasip1 OPA compiler at " + wasm + "; build with Maven");
            }
            return wasm;
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void reportsTheSameOpaVersionAsTheNativeBuild() {
        assertThat(embedded.opaVersion()).isNotBlank().isEqualTo(nativeCompiler.opaVersion());
    }

    @Test
    void outlinesModulesAsTheNativeBuildDoes() {
        TestPolicies.Template template = TestPolicies.template("general/requiredlabels");
        assertThat(OpaCompiler.outlines(embedded.outline(template.modules())))
                .isEqualTo(OpaCompiler.outlines(nativeCompiler.outline(template.modules())))
                .allSatisfy(o -> assertThat(o).isPresent());
    }

    @Test
    void compilesATemplateToTheSameWasmAsTheNativeBuild() throws Exception {
        TestPolicies.Template template = TestPolicies.template("general/requiredlabels");
        List<String> entrypoints = List.of(template.violation());

        byte[] wasm = embedded.compile(template.modules(), entrypoints);

        assertThat(wasm).startsWith(0x00, 'a', 's', 'm');
        assertThat(wasm).isEqualTo(nativeCompiler.compile(template.modules(), entrypoints));
    }

    @Test
    void compilesATemplateWithLibrariesAndKeepsDoingSoOnFreshInstances() throws Exception {
        // Two libs imported by the template; compiled twice, as each compilation runs on a new instance.
        TestPolicies.Template template = TestPolicies.template("pod-security-policy/privileged-containers");
        List<String> entrypoints = List.of(template.violation());
        byte[] expected = nativeCompiler.compile(template.modules(), entrypoints);

        assertThat(embedded.compile(template.modules(), entrypoints)).isEqualTo(expected);
        assertThat(embedded.compile(template.modules(), entrypoints)).isEqualTo(expected);
    }

    @Test
    void compilesConcurrentlyOnSeparateInstances() throws Exception {
        // The engine may compile several templates at once: one call takes the spare, the other a new instance.
        TestPolicies.Template labels = TestPolicies.template("general/requiredlabels");
        TestPolicies.Template privileged = TestPolicies.template("pod-security-policy/privileged-containers");
        List<String> labelsEntry = List.of(labels.violation());
        List<String> privilegedEntry = List.of(privileged.violation());

        CompletableFuture<byte[]> first = CompletableFuture.supplyAsync(() -> compile(labels.modules(), labelsEntry));
        CompletableFuture<byte[]> second = CompletableFuture.supplyAsync(() -> compile(privileged.modules(), privilegedEntry));

        assertThat(first.get()).isEqualTo(nativeCompiler.compile(labels.modules(), labelsEntry));
        assertThat(second.get()).isEqualTo(nativeCompiler.compile(privileged.modules(), privilegedEntry));
    }

    private static byte[] compile(List<RegoModule> modules, List<String> entrypoints) {
        try {
            return embedded.compile(modules, entrypoints);
        } catch (PolicyCompileException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void reportsOpaErrorsWithTheirLocationsLikeTheNativeBuild() {
        List<RegoModule> broken = List.of(RegoModule.v0("broken.rego", """
                package broken

                violation[{"msg": msg}] {
                  msg := undefined_function(input.x)
                }
                """));
        List<String> entrypoints = List.of("broken/violation");

        PolicyCompileException fromEmbedded = catchThrowableOfType(PolicyCompileException.class,
                () -> embedded.compile(broken, entrypoints));
        PolicyCompileException fromNative = catchThrowableOfType(PolicyCompileException.class,
                () -> nativeCompiler.compile(broken, entrypoints));

        assertThat(fromEmbedded).isNotNull();
        assertThat(fromEmbedded.errors()).isEqualTo(fromNative.errors());
        assertThat(fromEmbedded.errors()).anySatisfy(e -> {
            assertThat(e.module()).isEqualTo("broken.rego");
            assertThat(e.line()).isEqualTo(4);
            assertThat(e.message()).contains("undefined_function");
        });
    }
}
