package io.portcullis.policy;

import java.io.IOException;
import java.nio.file.Files;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.portcullis.engine.CompilerMode;
import io.portcullis.engine.EngineConfig;
import io.portcullis.engine.ExecutionMode;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * {@code portcullis.engine.*}: how Rego is compiled and evaluated.
 *
 * @param compilerMode NATIVE (a child process per compile, the default) or EMBEDDED (inside the JVM)
 * @param cacheDir compiled modules survive restarts here (wasm and JVM bytecode); empty keeps them in memory
 * @param compiler the opa-wasm-compiler to run; empty uses the one packed in the jar
 * @param evaluationDeadline one template evaluation running longer is stopped and becomes a violation
 * @param maxMemory linear memory cap of one wasm instance
 * @param instancesPerPolicy wasm instances kept per template, i.e. evaluations of it that run at once
 * @param executionMode COMPILED (JVM bytecode, the default) or INTERPRETED
 * @param warmUp how long every constraint runs against a synthetic Pod before the server reports Ready, so the
 *     JIT has compiled the policies' hot code before the first real request
 */
@ConfigurationProperties("portcullis.engine")
public record EngineProperties(
        @DefaultValue("NATIVE") CompilerMode compilerMode,
        Path cacheDir,
        Path compiler,
        @DefaultValue("2s") Duration evaluationDeadline,
        @DefaultValue("256MB") DataSize maxMemory,
        @DefaultValue("0") int instancesPerPolicy,
        @DefaultValue("COMPILED") ExecutionMode executionMode,
        @DefaultValue("1s") Duration warmUp) {
    private static final Logger log = LoggerFactory.getLogger(EngineProperties.class);

    public EngineConfig toConfig() {
        EngineConfig config = EngineConfig.defaults()
                .withCompilerMode(compilerMode)
                .withCompilerPath(compiler)
                .withCacheDir(usable(cacheDir))
                .withEvaluationDeadline(evaluationDeadline)
                .withMaxMemoryPages((int) Math.max(2, maxMemory.toBytes() / 65536))
                .withExecutionMode(executionMode);
        return instancesPerPolicy > 0 ? config.withMaxInstancesPerPolicy(instancesPerPolicy) : config;
    }

    /** The cache directory if it can be created and written; otherwise compiled modules stay in memory only. */
    private static Path usable(Path dir) {
        if (dir == null || dir.toString().isBlank()) {
            return null;
        }
        try {
            Files.createDirectories(dir);
            if (Files.isWritable(dir)) {
                return dir;
            }
        } catch (IOException | SecurityException e) {
            // reported below
        }
        log.warn("compile cache directory {} is not writable: compiled policies are kept in memory only", dir);
        return null;
    }
}
