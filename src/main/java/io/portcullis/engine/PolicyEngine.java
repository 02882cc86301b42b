package io.portcullis.engine;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compiles Rego to wasm with the real OPA compiler and loads it on Chicory. The compile result is cached by a
 * hash of its sources, entrypoints and OPA version, in memory and under {@code cacheDir}.
 *
 * <pre>{@code
 * PolicyEngine engine = new PolicyEngine(EngineConfig.defaults());
 * CompiledPolicy policy = engine.compile(List.of(RegoModule.v0("t.rego", rego)), List.of("k8srequiredlabels/violation"));
 * JsonNode violations = policy.withData(data).evaluate("k8srequiredlabels/violation", input);
 * }</pre>
 */
public final class PolicyEngine implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PolicyEngine.class);

    private final EngineConfig config;
    private final OpaCompiler compiler;
    private final ModuleCache modules;
    private final ModuleCache outlines;
    private final ModuleCache descriptions;
    private final DirectoryBytecodeCache bytecode;

    public PolicyEngine(EngineConfig config) {
        this.config = config;
        this.compiler = OpaCompiler.of(config);
        Path cacheDir = config.cacheDir();
        this.modules = new ModuleCache(cacheDir == null ? null : cacheDir.resolve("wasm"), ".wasm");
        // A template's checks need OPA's parse of it: cached too, so a restart runs no compiler process at all.
        this.outlines = new ModuleCache(cacheDir == null ? null : cacheDir.resolve("outline"), ".json");
        // And what each module exports, so that a cached module is not parsed and probed only to be described.
        this.descriptions = new ModuleCache(cacheDir == null ? null : cacheDir.resolve("describe"), ".json");
        // Generated classes are only valid for the Chicory that generated them: one directory per version.
        this.bytecode = cacheDir == null ? null
                : new DirectoryBytecodeCache(cacheDir.resolve("bytecode-chicory-" + chicoryVersion()));
    }

    public EngineConfig config() {
        return config;
    }

    /** Chicory's version, read from its jar's name (the jar has no version in its manifest). */
    static String chicoryVersion() {
        try {
            String location = String.valueOf(MachineFactoryCompiler.class.getProtectionDomain().getCodeSource().getLocation());
            Matcher m = Pattern.compile("compiler-([0-9][^/!]*?)\\.jar").matcher(location);
            return m.find() ? m.group(1) : "unknown";
        } catch (SecurityException | NullPointerException e) {
            return "unknown";
        }
    }

    /** The OPA version that compiles the policies. */
    public String opaVersion() {
        return compiler.opaVersion();
    }

    /** Compiles (or takes from the cache) and loads the modules; entrypoints are like {@code pkg/rule}. */
    public CompiledPolicy compile(List<RegoModule> sources, List<String> entrypoints) throws PolicyCompileException {
        String key = ModuleCache.key(compiler.opaVersion(), sources, entrypoints);
        byte[] wasm = modules.get(key).orElse(null);
        if (wasm == null) {
            long start = System.nanoTime();
            wasm = compiler.compile(sources, entrypoints);
            modules.put(key, wasm);
            log.debug("compiled {} to wasm ({} bytes) in {} ms", entrypoints, wasm.length, (System.nanoTime() - start) / 1_000_000);
        }
        ModuleDescription description = descriptions.get(key).map(ModuleDescription::fromJson).orElse(null);
        if (description != null) {
            return new CompiledPolicy(wasm, description, config, bytecode);
        }
        CompiledPolicy policy = load(wasm);
        descriptions.put(key, policy.description().toJson());
        return policy;
    }

    /**
     * Each module as OPA's parser reads it, or empty for one that does not parse ({@link #compile} then reports
     * the error with its location). One compiler process for all of them, or none when they were read before.
     */
    public List<Optional<ModuleOutline>> outline(List<RegoModule> sources) {
        String key = ModuleCache.key(compiler.opaVersion(), sources, List.of("outline"));
        byte[] answer = outlines.get(key).orElse(null);
        if (answer == null) {
            answer = compiler.outline(sources);
            outlines.put(key, answer);
        }
        return OpaCompiler.outlines(answer);
    }

    /** Loads an already compiled OPA wasm module (ABI 1.2 or later). */
    public CompiledPolicy load(byte[] wasm) throws PolicyCompileException {
        return new CompiledPolicy(wasm, config, bytecode);
    }

    /** Stops the embedded compiler's spare instance, if any; native compiler processes end with each call. */
    @Override
    public void close() {
        compiler.close();
    }
}
