package io.portcullis.engine;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Engine settings.
 *
 * @param compilerMode NATIVE runs the compiler program as a child process (the default); EMBEDDED runs its wasip1
 *     build inside the JVM on Chicory (see docs/embedded-compiler.md for the costs)
 * @param compilerPath NATIVE: the opa-wasm-compiler executable, null for the one packed in the jar; EMBEDDED: a
 *     wasip1 build to translate at start, null for the one precompiled into the jar
 * @param cacheDir where compiled modules are kept across restarts; null keeps them in memory only
 * @param evaluationDeadline an evaluation running longer is stopped and reported
 * @param maxMemoryPages cap on one instance's linear memory, in 64 KiB pages
 * @param maxInstancesPerPolicy wasm instances kept per policy and data; one evaluation uses one instance
 * @param executionMode compiled (default) or interpreted
 * @param strictBuiltinErrors when true a failing host builtin fails the evaluation; OPA's default (false)
 *     makes the expression undefined
 * @param externalData what answers Gatekeeper's {@code external_data} builtin; {@link ExternalData#NONE}: no
 *     providers
 */
public record EngineConfig(
        CompilerMode compilerMode,
        Path compilerPath,
        Path cacheDir,
        Duration evaluationDeadline,
        int maxMemoryPages,
        int maxInstancesPerPolicy,
        ExecutionMode executionMode,
        boolean strictBuiltinErrors,
        ExternalData externalData) {

    public EngineConfig {
        externalData = externalData == null ? ExternalData.NONE : externalData;
    }

    /** 2 s deadline, 256 MiB per instance, as many instances as cores (at least 2), compiled, OPA's builtin errors. */
    public static EngineConfig defaults() {
        return new EngineConfig(CompilerMode.NATIVE, null, null, Duration.ofSeconds(2), 4096,
                Math.max(2, Runtime.getRuntime().availableProcessors()), ExecutionMode.COMPILED, false, ExternalData.NONE);
    }

    public EngineConfig withCompilerMode(CompilerMode mode) {
        return new EngineConfig(mode, compilerPath, cacheDir, evaluationDeadline, maxMemoryPages, maxInstancesPerPolicy, executionMode, strictBuiltinErrors, externalData);
    }

    public EngineConfig withCompilerPath(Path path) {
        return new EngineConfig(compilerMode, path, cacheDir, evaluationDeadline, maxMemoryPages, maxInstancesPerPolicy, executionMode, strictBuiltinErrors, externalData);
    }

    public EngineConfig withCacheDir(Path dir) {
        return new EngineConfig(compilerMode, compilerPath, dir, evaluationDeadline, maxMemoryPages, maxInstancesPerPolicy, executionMode, strictBuiltinErrors, externalData);
    }

    public EngineConfig withEvaluationDeadline(Duration deadline) {
        return new EngineConfig(compilerMode, compilerPath, cacheDir, deadline, maxMemoryPages, maxInstancesPerPolicy, executionMode, strictBuiltinErrors, externalData);
    }

    public EngineConfig withMaxMemoryPages(int pages) {
        return new EngineConfig(compilerMode, compilerPath, cacheDir, evaluationDeadline, pages, maxInstancesPerPolicy, executionMode, strictBuiltinErrors, externalData);
    }

    public EngineConfig withMaxInstancesPerPolicy(int instances) {
        return new EngineConfig(compilerMode, compilerPath, cacheDir, evaluationDeadline, maxMemoryPages, instances, executionMode, strictBuiltinErrors, externalData);
    }

    public EngineConfig withExecutionMode(ExecutionMode mode) {
        return new EngineConfig(compilerMode, compilerPath, cacheDir, evaluationDeadline, maxMemoryPages, maxInstancesPerPolicy, mode, strictBuiltinErrors, externalData);
    }

    public EngineConfig withStrictBuiltinErrors(boolean strict) {
        return new EngineConfig(compilerMode, compilerPath, cacheDir, evaluationDeadline, maxMemoryPages, maxInstancesPerPolicy, executionMode, strict, externalData);
    }

    public EngineConfig withExternalData(ExternalData data) {
        return new EngineConfig(compilerMode, compilerPath, cacheDir, evaluationDeadline, maxMemoryPages, maxInstancesPerPolicy, executionMode, strictBuiltinErrors, data);
    }
}
