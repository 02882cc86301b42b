package io.portcullis.engine;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Engine settings.
 *
 * @param compilerPath the opa-wasm-compiler executable; null means the one packed in the jar (or built in target/)
 * @param cacheDir where compiled modules are kept across restarts; null keeps them in memory only
 * @param evaluationDeadline an evaluation running longer is stopped and reported
 * @param maxMemoryPages cap on one instance's linear memory, in 64 KiB pages
 * @param maxInstancesPerPolicy wasm instances kept per policy and data; one evaluation uses one instance
 * @param executionMode compiled (default) or interpreted
 * @param strictBuiltinErrors when true a failing host builtin fails the evaluation; OPA's default (false)
 *     makes the expression undefined
 */
public record EngineConfig(
        Path compilerPath,
        Path cacheDir,
        Duration evaluationDeadline,
        int maxMemoryPages,
        int maxInstancesPerPolicy,
        ExecutionMode executionMode,
        boolean strictBuiltinErrors) {

    /** 2 s deadline, 256 MiB per instance, as many instances as cores (at least 2), compiled, OPA's builtin errors. */
    public static EngineConfig defaults() {
        return new EngineConfig(null, null, Duration.ofSeconds(2), 4096,
                Math.max(2, Runtime.getRuntime().availableProcessors()), ExecutionMode.COMPILED, false);
    }

    public EngineConfig withCompilerPath(Path path) {
        return new EngineConfig(path, cacheDir, evaluationDeadline, maxMemoryPages, maxInstancesPerPolicy, executionMode, strictBuiltinErrors);
    }

    public EngineConfig withCacheDir(Path dir) {
        return new EngineConfig(compilerPath, dir, evaluationDeadline, maxMemoryPages, maxInstancesPerPolicy, executionMode, strictBuiltinErrors);
    }

    public EngineConfig withEvaluationDeadline(Duration deadline) {
        return new EngineConfig(compilerPath, cacheDir, deadline, maxMemoryPages, maxInstancesPerPolicy, executionMode, strictBuiltinErrors);
    }

    public EngineConfig withMaxMemoryPages(int pages) {
        return new EngineConfig(compilerPath, cacheDir, evaluationDeadline, pages, maxInstancesPerPolicy, executionMode, strictBuiltinErrors);
    }

    public EngineConfig withMaxInstancesPerPolicy(int instances) {
        return new EngineConfig(compilerPath, cacheDir, evaluationDeadline, maxMemoryPages, instances, executionMode, strictBuiltinErrors);
    }

    public EngineConfig withExecutionMode(ExecutionMode mode) {
        return new EngineConfig(compilerPath, cacheDir, evaluationDeadline, maxMemoryPages, maxInstancesPerPolicy, mode, strictBuiltinErrors);
    }

    public EngineConfig withStrictBuiltinErrors(boolean strict) {
        return new EngineConfig(compilerPath, cacheDir, evaluationDeadline, maxMemoryPages, maxInstancesPerPolicy, executionMode, strict);
    }
}
