package io.portcullis.constraint;

import io.portcullis.engine.RegoVersion;
import java.util.List;

/** A template's Rego: the entry module, its libraries and the Rego version both are written in. */
public record RegoCode(String rego, List<String> libs, RegoVersion version) {
    public RegoCode {
        libs = List.copyOf(libs);
    }
}
