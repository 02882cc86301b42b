package io.portcullis.engine;

import io.portcullis.engine.cache.LruCache;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the OPA compiler made of some modules (the wasm, or OPA's parse of them) by a hash of what went into them
 * (sources, Rego versions, entrypoints or mode, and the OPA version), in memory and optionally on disk so a
 * restart does not run the compiler again. A corrupt or unreadable file is a cache miss, never an error.
 */
final class ModuleCache {
    private static final Logger log = LoggerFactory.getLogger(ModuleCache.class);

    /** Enough for every template of a large cluster several times over; older versions fall out. */
    private static final int MAX_IN_MEMORY = 512;

    private final LruCache<String, byte[]> memory = new LruCache<>(MAX_IN_MEMORY);
    private final Path dir;
    private final String extension;

    /** Entries are files {@code <key><extension>} under {@code dir}; a null dir keeps them in memory only. */
    ModuleCache(Path dir, String extension) {
        this.dir = dir;
        this.extension = extension;
    }

    static String key(String opaVersion, List<RegoModule> modules, List<String> entrypoints) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            update(sha, "opa " + opaVersion);
            for (String e : entrypoints) {
                update(sha, "entrypoint " + e);
            }
            for (RegoModule m : modules) {
                update(sha, "module " + m.name() + " " + m.version());
                update(sha, m.source());
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void update(MessageDigest sha, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        sha.update(Integer.toString(bytes.length).getBytes(StandardCharsets.US_ASCII));
        sha.update((byte) ':');
        sha.update(bytes);
    }

    Optional<byte[]> get(String key) {
        byte[] hit = memory.get(key);
        if (hit != null || dir == null) {
            return Optional.ofNullable(hit);
        }
        Path file = dir.resolve(key + extension);
        try {
            if (Files.isRegularFile(file)) {
                byte[] wasm = Files.readAllBytes(file);
                memory.put(key, wasm);
                return Optional.of(wasm);
            }
        } catch (IOException e) {
            log.warn("ignoring unreadable cached module {}: {}", file, e.toString());
        }
        return Optional.empty();
    }

    void put(String key, byte[] wasm) {
        memory.put(key, wasm);
        if (dir == null) {
            return;
        }
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, key, ".part");
            Files.write(tmp, wasm);
            Files.move(tmp, dir.resolve(key + extension), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            log.warn("cannot write the module cache in {}: {}", dir, e.toString());
        }
    }

    int size() {
        return memory.size();
    }
}
