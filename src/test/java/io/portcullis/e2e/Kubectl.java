package io.portcullis.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the kubectl built with the control plane. */
public final class Kubectl {

    /** What kubectl did: its exit code and both outputs. */
    public record Result(int exitCode, String stdout, String stderr) {

        public boolean succeeded() {
            return exitCode == 0;
        }

        /** stdout when kubectl succeeded, else an exception with everything it said. */
        public String orThrow() {
            if (!succeeded()) {
                throw new IllegalStateException("kubectl exited " + exitCode + ": " + stderr + stdout);
            }
            return stdout;
        }
    }

    private Kubectl() {
    }

    static Result run(Path kubectl, Path kubeconfig, Map<String, String> environment, String stdin,
            Duration timeout, String... args) {
        List<String> command = new ArrayList<>(List.of(kubectl.toString(), "--kubeconfig=" + kubeconfig));
        command.addAll(Arrays.asList(args));
        Path out = null;
        Path err = null;
        try {
            // Files, not pipes: a large output can never block kubectl while this thread waits.
            out = Files.createTempFile("kubectl", ".out");
            err = Files.createTempFile("kubectl", ".err");
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            builder.environment().clear();
            builder.environment().putAll(environment);
            Process process = builder.start();
            try (var in = process.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("kubectl " + String.join(" ", args) + " did not finish within "
                        + timeout.toSeconds() + " s");
            }
            return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
        } catch (IOException e) {
            throw new IllegalStateException("cannot run kubectl: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running kubectl", e);
        } finally {
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a temp file
            }
        }
    }
}
