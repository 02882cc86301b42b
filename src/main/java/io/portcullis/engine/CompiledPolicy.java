package io.portcullis.engine;

import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.ActiveDataSegment;
import com.dylibso.chicory.wasm.types.DataSegment;
import com.dylibso.chicory.wasm.types.MemoryImport;
import com.dylibso.chicory.wasm.types.OpCode;
import io.portcullis.engine.builtins.HostBuiltin;
import io.portcullis.engine.builtins.HostBuiltins;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.Deflater;
import java.util.zip.InflaterInputStream;
import tools.jackson.databind.JsonNode;

/**
 * One OPA wasm module, checked and described (ABI, entrypoints, builtins), but not kept parsed: a parsed module is
 * about ten times its wasm size on the heap (some 4 MB per gatekeeper-library template), so only the modules that
 * evaluate hold one, as a {@link LoadedPolicy}. Cheap to keep in caches. Thread-safe and immutable.
 */
public final class CompiledPolicy {
    private static final long PAGE_BYTES = 64 * 1024;
    private static final int ABI_MAJOR = 1;
    private static final int MIN_ABI_MINOR = 2;

    /** The module, deflated: caches keep many policies, and only the loaded ones need it parsed. */
    private final byte[] deflatedWasm;
    private final DirectoryBytecodeCache bytecodeCache;
    private final EngineConfig config;
    private final int initialPages;
    private final Map<String, Integer> entrypoints;
    private final Map<String, Integer> builtinIds;
    private final HostBuiltin[] builtinsById;
    private final OpaErrorText errorText;

    /** Parses, checks and probes the module to describe it ({@link #description()}). */
    CompiledPolicy(byte[] wasm, EngineConfig config, DirectoryBytecodeCache bytecodeCache) throws PolicyCompileException {
        this(wasm, describe(Parser.parse(wasm), config), config, bytecodeCache);
    }

    /**
     * A module already described, e.g. from the engine cache: nothing is parsed now. Its memory is still held to
     * the cap and its builtins resolved, as both can differ from when the description was made.
     */
    CompiledPolicy(byte[] wasm, ModuleDescription description, EngineConfig config, DirectoryBytecodeCache bytecodeCache)
            throws PolicyCompileException {
        this.config = config;
        this.deflatedWasm = deflate(wasm);
        this.bytecodeCache = bytecodeCache;
        this.initialPages = description.initialPages();
        if (initialPages > config.maxMemoryPages()) {
            throw new PolicyCompileException("the module needs " + initialPages + " memory pages, above the cap of "
                    + config.maxMemoryPages());
        }
        this.entrypoints = description.entrypoints();
        this.builtinIds = description.builtins();
        this.builtinsById = resolveBuiltins(builtinIds, config.externalData());
        this.errorText = OpaErrorText.NONE;
    }

    private static ModuleDescription describe(WasmModule module, EngineConfig config) throws PolicyCompileException {
        int declaredPages = module.importSection().stream()
                .filter(MemoryImport.class::isInstance)
                .map(i -> ((MemoryImport) i).limits().initialPages())
                .findFirst()
                .orElse(2);
        int initialPages = Math.max(declaredPages, pagesForData(module));
        if (initialPages > config.maxMemoryPages()) {
            throw new PolicyCompileException("the module needs " + initialPages + " memory pages, above the cap of "
                    + config.maxMemoryPages());
        }
        // A throwaway instance answers what the module exports: its ABI, entrypoints and the builtins it calls. It
        // is interpreted: compiling to bytecode takes far longer and waits until an evaluation needs it, so a
        // template that is only checked, or only evaluated as part of a group module, never pays for it.
        WasmInstance probe = WasmInstance.probe(config, initialPages, module);
        int abiMajor = probe.abiMajor();
        int abiMinor = probe.abiMinor();
        if (abiMajor != ABI_MAJOR || abiMinor < MIN_ABI_MINOR) {
            throw new PolicyCompileException("unsupported OPA wasm ABI " + abiMajor + "." + abiMinor
                    + " (need " + ABI_MAJOR + "." + MIN_ABI_MINOR + " or later)");
        }
        return new ModuleDescription(initialPages, toIds(probe.exportedMap(probe.exports().entrypoints())),
                toIds(probe.exportedMap(probe.exports().builtins())));
    }

    /**
     * The pages the module's data segments reach into. OPA's compiler declares its memory import with 2 pages
     * whatever its data; a module with many templates (a group) has more constants than that, and a memory of the
     * declared size cannot be instantiated ("out of bounds memory access" while the data is copied in).
     */
    static int pagesForData(WasmModule module) {
        long end = 0;
        for (DataSegment segment : module.dataSection().dataSegments()) {
            if (segment instanceof ActiveDataSegment active && !active.offsetInstructions().isEmpty()
                    && active.offsetInstructions().getFirst().opcode() == OpCode.I32_CONST) {
                long offset = active.offsetInstructions().getFirst().operand(0) & 0xffffffffL;
                end = Math.max(end, offset + active.data().length);
            }
        }
        return (int) ((end + PAGE_BYTES - 1) / PAGE_BYTES);
    }

    /** What the module exports, to keep beside it in a cache. */
    ModuleDescription description() {
        return new ModuleDescription(initialPages, entrypoints, builtinIds);
    }

    private CompiledPolicy(CompiledPolicy policy, OpaErrorText errorText) {
        this.deflatedWasm = policy.deflatedWasm;
        this.bytecodeCache = policy.bytecodeCache;
        this.config = policy.config;
        this.initialPages = policy.initialPages;
        this.entrypoints = policy.entrypoints;
        this.builtinIds = policy.builtinIds;
        this.builtinsById = policy.builtinsById;
        this.errorText = errorText;
    }

    private static byte[] deflate(byte[] bytes) {
        Deflater deflater = new Deflater(Deflater.BEST_SPEED);
        try {
            deflater.setInput(bytes);
            deflater.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length / 3);
            byte[] buffer = new byte[64 * 1024];
            while (!deflater.finished()) {
                out.write(buffer, 0, deflater.deflate(buffer));
            }
            return out.toByteArray();
        } finally {
            deflater.end();
        }
    }

    private static byte[] inflate(byte[] bytes) {
        try (InflaterInputStream in = new InflaterInputStream(new ByteArrayInputStream(bytes))) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("a module kept in memory did not inflate", e);
        }
    }

    private static Map<String, Integer> toIds(JsonNode map) {
        Map<String, Integer> ids = new TreeMap<>();
        map.properties().forEach(e -> ids.put(e.getKey(), e.getValue().asInt()));
        return Map.copyOf(ids);
    }

    /** Every builtin the module leaves to the host must exist now, so a policy never fails on it at request time. */
    private static HostBuiltin[] resolveBuiltins(Map<String, Integer> ids, ExternalData externalData)
            throws PolicyCompileException {
        HostBuiltins host = HostBuiltins.standard().with(ExternalDataBuiltin.of(externalData));
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

    /**
     * The module parsed and ready to instantiate, its bytecode compiled on first use. Each call parses again: keep
     * the result for as long as the module evaluates, and drop it when it no longer does.
     */
    public LoadedPolicy load() {
        return new LoadedPolicy(this, Parser.parse(inflate(deflatedWasm)), bytecodeCache);
    }

    /** An evaluator with this data document resident in every instance it creates (a fresh {@link #load()}). */
    public PolicyEvaluator withData(JsonNode data) {
        return load().withData(data);
    }

    Integer entrypointId(String name) {
        return entrypoints.get(name);
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
