package io.portcullis.engine;

/**
 * Where OPA's compiler runs. NATIVE, a child process per compilation, is the default: about 10 ms of CPU per
 * template. EMBEDDED runs the same Go program built for wasip1 inside the JVM on Chicory, for platforms where the
 * native binary cannot run; it costs about 0.7 s of CPU per template and 150-200 MB of heap
 * (docs/embedded-compiler.md).
 */
public enum CompilerMode {
    NATIVE,
    EMBEDDED
}
