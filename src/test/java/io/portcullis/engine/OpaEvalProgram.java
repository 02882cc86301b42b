package io.portcullis.engine;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The {@code eval} mode of our compiler program: OPA's Go evaluator, the oracle of the builtin and
 * Gatekeeper-input tests. One JSON request in, OPA's answer (JSON text) out, one process per call.
 */
public final class OpaEvalProgram {
    private final Path binary;

    private OpaEvalProgram(Path binary) {
        this.binary = binary;
    }

    /** The program Maven built, or the test is skipped (failed under CI=true) when it has not been built. */
    public static OpaEvalProgram get() {
        // Maven passes the binary it built (in whatever build directory); else the default place.
        String built = System.getProperty("portcullis.opa.compiler");
        Path binary = built != null ? Path.of(built)
                : Path.of(System.getProperty("portcullis.project.dir", ".")).resolve("target/opa-compiler/opa-wasm-compiler");
        boolean present = Files.isExecutable(binary);
        if (!present && "true".equals(System.getenv("CI"))) {
            throw new IllegalStateException("OPA's Go evaluator missing: " + binary + " (build it with bin/mvn generate-resources)");
        }
        assumeTrue(present, "OPA's Go evaluator not built: " + binary + " (run bin/mvn -q generate-resources)");
        return new OpaEvalProgram(binary);
    }

    /** Runs one request; a failing or hanging process is an error naming what it printed. */
    public String eval(byte[] request) {
        try {
            Process p = new ProcessBuilder(binary.toString(), "eval").redirectError(ProcessBuilder.Redirect.INHERIT).start();
            try (var in = p.getOutputStream()) {
                in.write(request);
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("OPA's Go evaluator did not finish within 120 s: " + out);
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException("OPA's Go evaluator failed (exit " + p.exitValue() + "): " + out);
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + binary, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
