package io.portcullis.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Finds the kube-apiserver, kubectl and etcd binaries: a directory given by the system property or
 * environment variable {@code portcullis.cluster.bin} / {@code PORTCULLIS_CLUSTER_BIN} when set, else the
 * output of {@code src/test/cluster/build.sh}, which builds them from their Go modules once and then answers
 * from its cache at once. The build's progress is echoed to stderr and kept in {@code target/e2e/build.log}.
 */
final class ClusterBinaries {

    static final List<String> NAMES = List.of("kube-apiserver", "kubectl", "etcd");

    private static Path located;

    private ClusterBinaries() {
    }

    static synchronized Path locate() {
        if (located == null) {
            String given = System.getProperty("portcullis.cluster.bin", System.getenv("PORTCULLIS_CLUSTER_BIN"));
            located = given != null && !given.isBlank() ? checked(Path.of(given), "portcullis.cluster.bin")
                    : checked(build(), "src/test/cluster/build.sh");
        }
        return located;
    }

    private static Path build() {
        Path project = Path.of(System.getProperty("portcullis.project.dir", ".")).toAbsolutePath();
        Path script = project.resolve("src/test/cluster/build.sh");
        if (!Files.isRegularFile(script)) {
            throw new IllegalStateException("no " + script + "; set portcullis.project.dir to the project root");
        }
        Path log = KubeControlPlane.outputRoot().resolve("build.log");
        try {
            Files.createDirectories(log.getParent());
            Process process = new ProcessBuilder("bash", script.toString()).directory(project.toFile()).start();
            process.getOutputStream().close();
            // build.sh talks on stderr (echoed as it comes: a cold build takes minutes) and prints the
            // directory as the last line of stdout.
            Thread echo = Thread.ofPlatform().daemon().start(() -> copy(process, log));
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int exit = process.waitFor();
            echo.join();
            List<String> lines = out.lines().filter(l -> !l.isBlank()).toList();
            if (exit != 0 || lines.isEmpty()) {
                throw new IllegalStateException(script + " failed (exit " + exit + "); its output:\n"
                        + KubeControlPlane.tail(log, 40));
            }
            return Path.of(lines.getLast().trim());
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + script + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while building the cluster binaries", e);
        }
    }

    private static void copy(Process process, Path log) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getErrorStream(),
                StandardCharsets.UTF_8));
                PrintWriter out = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                System.err.println(line);
                out.println(line);
                out.flush();
            }
        } catch (IOException e) {
            System.err.println("ClusterBinaries: lost build output: " + e);
        }
    }

    private static Path checked(Path dir, String source) {
        for (String name : NAMES) {
            if (!Files.isExecutable(dir.resolve(name))) {
                throw new IllegalStateException("no executable " + name + " in " + dir + " (from " + source + ")");
            }
        }
        return dir;
    }
}
