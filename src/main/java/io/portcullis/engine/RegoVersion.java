package io.portcullis.engine;

/** Rego syntax of a module. Gatekeeper templates are v0 unless they ask for v1. */
public enum RegoVersion {
    V0,
    V1;

    String wireName() {
        return this == V1 ? "v1" : "v0";
    }
}
