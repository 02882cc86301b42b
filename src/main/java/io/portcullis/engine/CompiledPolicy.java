package io.portcullis.engine;

import com.dylibso.chicory.compiler.InterpreterFallback;
import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.InterpreterMachine;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.MemoryImport;
import io.portcullis.engine.builtins.HostBuiltin;
import io.portcullis.engine.builtins.HostBuiltins;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;

/**
 * One OPA wasm module, parsed and compiled to JVM bytecode once and shared by all its instances (opa-java-wasm
 * would recompile it for every instance). Thread-safe and immutable; evaluation happens in a
 * {@link PolicyEvaluator}, which holds instances with a data document loaded.
 */
public final class CompiledPolicy {
    private static final int ABI_MAJOR = 1;
    private static final int MIN_ABI_MINOR = 2;

    private final WasmModule module;
    private final ExecutionMode executionMode;
    private final DirectoryBytecodeCache bytecodeCache;
    private volatile Function<Instance, Machine> machineFactory;
    private final EngineConfig config;
    private final int initialPages;
    private final Map<String, Integer> entrypoints;
    private final Map<String, Integer> builtinIds;
    private final HostBuiltin[] builtinsById;
    private final OpaErrorText errorText;

    CompiledPolicy(byte[] wasm, EngineConfig config, DirectoryBytecodeCache bytecodeCache) throws PolicyCompileException {
        this.config = config;
        this.module = Parser.parse(wasm);
        this.executionMode = config.executionMode();
        this.bytecodeCache = bytecodeCache;
        this.initialPages = module.importSection().stream()
                .filter(MemoryImport.class::isInstance)
                .map(i -> ((MemoryImport) i).limits().initialPages())
                .findFirst()
                .orElse(2);
        if (initialPages > config.maxMemoryPages()) {
            throw new PolicyCompileException("the module needs " + initialPages + " memory pages, above the cap of "
                    + config.maxMemoryPages());
        }

        // A throwaway instance answers what the module exports: its ABI, entrypoints and the builtins it calls. It
        // is interpreted: compiling to bytecode takes far longer and waits until an evaluation needs it, so a
        // template that is only checked, or only evaluated as part of a group module, never pays for it.
        WasmInstance probe = WasmInstance.probe(this);
        int abiMajor = probe.abiMajor();
        int abiMinor = probe.abiMinor();
        if (abiMajor != ABI_MAJOR || abiMinor < MIN_ABI_MINOR) {
            throw new PolicyCompileException("unsupported OPA wasm ABI " + abiMajor + "." + abiMinor
                    + " (need " + ABI_MAJOR + "." + MIN_ABI_MINOR + " or later)");
        }
        this.entrypoints = toIds(probe.exportedMap(probe.exports().entrypoints()));
        this.builtinIds = toIds(probe.exportedMap(probe.exports().builtins()));
        this.builtinsById = resolveBuiltins(builtinIds);
        this.errorText = OpaErrorText.NONE;
    }

    private CompiledPolicy(CompiledPolicy policy, OpaErrorText errorText) {
        this.module = policy.module;
        this.executionMode = policy.executionMode;
        this.bytecodeCache = policy.bytecodeCache;
        this.machineFactory = policy.machineFactory;
        this.config = policy.config;
        this.initialPages = policy.initialPages;
        this.entrypoints = policy.entrypoints;
        this.builtinIds = policy.builtinIds;
        this.builtinsById = policy.builtinsById;
        this.errorText = errorText;
    }

    private static Function<Instance, Machine> machineFactory(WasmModule module, ExecutionMode mode,
            DirectoryBytecodeCache cache) {
        if (mode == ExecutionMode.INTERPRETED) {
            return InterpreterMachine::new;
        }
        var builder = MachineFactoryCompiler.builder(module).withInterpreterFallback(InterpreterFallback.WARN);
        if (cache != null) {
            builder.withCache(cache);
        }
        return builder.compile();
    }

    private static Map<String, Integer> toIds(JsonNode map) {
        Map<String, Integer> ids = new TreeMap<>();
        map.properties().forEach(e -> ids.put(e.getKey(), e.getValue().asInt()));
        return Map.copyOf(ids);
    }

    /** Every builtin the module leaves to the host must exist now, so a policy never fails on it at request time. */
    private static HostBuiltin[] resolveBuiltins(Map<String, Integer> ids) throws PolicyCompileException {
        HostBuiltins host = HostBuiltins.standard();
        int size = ids.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
        HostBuiltin[] byId = new HostBuiltin[size];
        List<String> missing = new ArrayList<>();
        ids.forEach((name, id) -> host.find(name).ifPresentOrElse(b -> byId[id] = b, () -> missing.add(name)));
        if (!missing.isEmpty()) {
            List<CompileError> errors = missing.stream()
                    .sorted()
                    .map(name -> new CompileError("", 0, 0, "rego_unsupported_builtin_error",
                            "the policy calls builtin " + name + ", which neither OPA's wasm runtime nor Portcullis implements"))
                    .toList();
            throw new PolicyCompileException(errors);
        }
        return byId;
    }

    /** Entrypoint names as OPA writes them, e.g. {@code k8srequiredlabels/violation}. */
    public Set<String> entrypoints() {
        return entrypoints.keySet();
    }

    /** The builtins this module calls on the host (the ones OPA's wasm runtime lacks). */
    public Set<String> builtins() {
        return builtinIds.keySet();
    }

    /**
     * The same policy, whose evaluation errors read as OPA's Go evaluator words them for these modules (see
     * {@link OpaErrorText}); shares the compiled module.
     */
    public CompiledPolicy withErrorText(OpaErrorText errorText) {
        return new CompiledPolicy(this, errorText);
    }

    /** How evaluation errors are worded. */
    public OpaErrorText errorText() {
        return errorText;
    }

    /** An evaluator with this data document resident in every instance it creates. */
    public PolicyEvaluator withData(JsonNode data) {
        return new PolicyEvaluator(this, data);
    }

    Integer entrypointId(String name) {
        return entrypoints.get(name);
    }

    WasmModule module() {
        return module;
    }

    /** The module compiled to JVM bytecode (or the interpreter), made on first use and then shared. */
    Function<Instance, Machine> machineFactory() {
        Function<Instance, Machine> factory = machineFactory;
        if (factory == null) {
            synchronized (this) {
                factory = machineFactory;
                if (factory == null) {
                    factory = machineFactory(module, executionMode, bytecodeCache);
                    machineFactory = factory;
                }
            }
        }
        return factory;
    }

    EngineConfig config() {
        return config;
    }

    int initialPages() {
        return initialPages;
    }

    HostBuiltin[] builtinsById() {
        return builtinsById;
    }
}
