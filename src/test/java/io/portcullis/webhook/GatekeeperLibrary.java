package io.portcullis.webhook;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Assumptions;

/**
 * The gatekeeper-library corpus ({@code ../shared/conformance/gatekeeper-library} from the project directory).
 * Tests that need it skip without it, except under CI=true, where its absence is a failure.
 */
final class GatekeeperLibrary {

    static final Path PROJECT = Path.of(System.getProperty("portcullis.project.dir", ".")).toAbsolutePath().normalize();
    static final Path ROOT = PROJECT.resolve("../shared/conformance/gatekeeper-library").normalize();

    private GatekeeperLibrary() {
    }

    static boolean available() {
        return Files.isDirectory(ROOT.resolve("library")) && Files.isDirectory(ROOT.resolve("mutation"));
    }

    /** Skips the calling test (fails it under CI=true) when the corpus is missing. */
    static void assumeAvailable() {
        if (available()) {
            return;
        }
        String message = "gatekeeper-library corpus not found at " + ROOT;
        if ("true".equals(System.getenv("CI"))) {
            throw new AssertionError(message + " (required when CI=true)");
        }
        Assumptions.abort(message + "; skipping outside CI");
    }

    static Path file(String relative) {
        return ROOT.resolve(relative);
    }
}
