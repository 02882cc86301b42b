package io.portcullis.engine;

import java.util.Objects;

/** One Rego source file. The name is what errors point at (file, line, column). */
public record RegoModule(String name, String source, RegoVersion version) {
    public RegoModule {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(version, "version");
    }

    public static RegoModule v0(String name, String source) {
        return new RegoModule(name, source, RegoVersion.V0);
    }
}
