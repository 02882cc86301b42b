package io.portcullis.engine;

import com.dylibso.chicory.compiler.Cache;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Chicory's compiler cache on disk: the JVM classes generated for a module, keyed by Chicory (the module's
 * hash), so a restart skips the wasm-to-bytecode compile (about 0.5 s per policy) as well as the Rego compile.
 */
final class DirectoryBytecodeCache implements Cache {
    private final Path dir;

    DirectoryBytecodeCache(Path dir) {
        this.dir = dir;
    }

    @Override
    public byte[] get(String key) throws IOException {
        Path file = dir.resolve(safe(key));
        return Files.isRegularFile(file) ? Files.readAllBytes(file) : null;
    }

    @Override
    public void putIfAbsent(String key, byte[] data) throws IOException {
        Path file = dir.resolve(safe(key));
        if (Files.exists(file)) {
            return;
        }
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "chicory", ".part");
        Files.write(tmp, data);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static String safe(String key) {
        return key.replaceAll("[^A-Za-z0-9._-]", "_") + ".jar";
    }
}
