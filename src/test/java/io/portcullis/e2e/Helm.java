package io.portcullis.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Helm as {@code bin/helm} provides it: built from its Go module (pinned there) into ~/.cache/portcullis/tools on
 * first use, then run from the cache. Renders and lints {@code charts/portcullis}.
 */
final class Helm {
    static final Path PROJECT = Path.of(System.getProperty("portcullis.project.dir", ".")).toAbsolutePath().normalize();
    static final Path CHART = PROJECT.resolve("charts/portcullis");

    private static Path binary;

    private Helm() {
    }

    /** {@code helm template portcullis charts/portcullis --namespace NS [extra args]}: the rendered manifests. */
    static String template(String namespace, String... extra) {
        List<String> args = new ArrayList<>(List.of("template", "portcullis", CHART.toString(), "--namespace", namespace));
        args.addAll(Arrays.asList(extra));
        return run(args.toArray(String[]::new)).orThrow();
    }

    static Kubectl.Result run(String... args) {
        List<String> command = new ArrayList<>(List.of(locate().toString()));
        command.addAll(Arrays.asList(args));
        return exec(command, 120);
    }

    private static synchronized Path locate() {
        if (binary == null) {
            // bin/helm builds it when missing (minutes, once; .ci/run builds it in a stage of its own).
            String path = exec(List.of(PROJECT.resolve("bin/helm").toString(), "--path"), 1200).orThrow().strip();
            binary = Path.of(path.lines().toList().getLast());
        }
        return binary;
    }

    private static Kubectl.Result exec(List<String> command, long timeoutSeconds) {
        try {
            Path out = Files.createTempFile("helm", ".out");
            Path err = Files.createTempFile("helm", ".err");
            try {
                Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
                process.getOutputStream().close();
                if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new IllegalStateException(String.join(" ", command) + " did not finish within " + timeoutSeconds + " s");
                }
                return new Kubectl.Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                        Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command.getFirst() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running helm", e);
        }
    }
}
