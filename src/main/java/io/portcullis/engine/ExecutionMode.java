package io.portcullis.engine;

/**
 * How Chicory runs a module. The compiler to JVM bytecode is 70-90x faster than the interpreter on OPA
 * policies (see the README's figures), so it is the default; the interpreter stays as a fallback for a JVM
 * where the compiler misbehaves and as the reference of the differential test.
 */
public enum ExecutionMode {
    COMPILED,
    INTERPRETED
}
