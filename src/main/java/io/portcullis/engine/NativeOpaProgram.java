package io.portcullis.engine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The compiler program built natively by the Maven build and packed into the jar, run as a child process per
 * request: a crash or a leak of the compiler stays away from the server, and a compilation takes about 20 ms
 * plus the process start.
 */
final class NativeOpaProgram implements OpaCompiler.Program {
    private static final String PACKED = "/opa-compiler/opa-wasm-compiler";
    private static final long TIMEOUT_SECONDS = 120;

    private final Path executable;

    /** @param configured the executable, or null for $PORTCULLIS_OPA_COMPILER or the one packed in the jar */
    NativeOpaProgram(Path configured) {
        this.executable = configured != null ? configured : locate();
    }

    Path executable() {
        return executable;
    }

    @Override
    public byte[] run(List<String> args, byte[] stdin) {
        List<String> command = new ArrayList<>();
        command.add(executable.toString());
        command.addAll(args);
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(false).start();
            CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
            CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
            try (var in = process.getOutputStream()) {
                in.write(stdin);
            }
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("OPA compiler did not finish within " + TIMEOUT_SECONDS + " s");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException("OPA compiler failed (exit " + process.exitValue() + "): "
                        + new String(err.join(), StandardCharsets.UTF_8).trim());
            }
            return out.join();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run the OPA compiler " + executable, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while compiling Rego", e);
        }
    }

    private static byte[] readAll(InputStream in) {
        try (in; var buf = new ByteArrayOutputStream()) {
            in.transferTo(buf);
            return buf.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The compiler to use: $PORTCULLIS_OPA_COMPILER, else the one packed in the jar, extracted once to a
     * directory named after its hash (the jar is read-only and a binary must be a file to run).
     */
    private static Path locate() {
        String env = System.getenv("PORTCULLIS_OPA_COMPILER");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        try (InputStream in = NativeOpaProgram.class.getResourceAsStream(PACKED)) {
            if (in == null) {
                throw new IllegalStateException("the OPA compiler is not packed in this build (" + PACKED
                        + "); build with Maven, or set PORTCULLIS_OPA_COMPILER");
            }
            byte[] binary = in.readAllBytes();
            String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(binary)).substring(0, 16);
            Path dir = Path.of(System.getProperty("java.io.tmpdir"), "portcullis-opa-compiler-" + hash);
            Path target = dir.resolve("opa-wasm-compiler");
            if (!Files.isExecutable(target)) {
                Files.createDirectories(dir);
                Path tmp = Files.createTempFile(dir, "opa-wasm-compiler", ".part");
                Files.write(tmp, binary);
                tmp.toFile().setExecutable(true, false);
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack the OPA compiler", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
