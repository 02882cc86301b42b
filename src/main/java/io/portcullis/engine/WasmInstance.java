package io.portcullis.engine;

import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.InterpreterMachine;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.styra.opa.wasm.OpaWasm_ModuleExports;
import io.portcullis.engine.builtins.HostBuiltin;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * One wasm instance of a policy with its data document parsed once into linear memory. Not thread-safe: the
 * {@link PolicyEvaluator} lends it to one evaluation at a time. Each evaluation writes the input right after
 * the data and lets OPA's heap start after the input, so nothing of a previous request survives.
 */
final class WasmInstance {
    private static final ObjectMapper JSON = EngineJson.MAPPER;
    private static final int FORMAT_JSON = 0;

    private final Memory memory;
    private final OpaWasm_ModuleExports exports;
    private final WasmHost host;
    private final int dataAddr;
    private final int dataHeapPtr;
    private final int loadedPages;

    private WasmInstance(EngineConfig config, int initialPages, HostBuiltin[] builtins, WasmModule module,
            byte[] dataJson, Function<Instance, Machine> machines) {
        this.memory = new ByteArrayMemory(new MemoryLimits(initialPages, config.maxMemoryPages()));
        this.host = new WasmHost(memory, builtins, config.strictBuiltinErrors());
        Instance instance = Instance.builder(module)
                .withImportValues(host.toImportValues())
                .withMachineFactory(machines)
                .build();
        this.exports = new OpaWasm_ModuleExports(instance);
        host.bind(exports);
        if (dataJson == null) {
            this.dataAddr = 0;
        } else {
            this.dataAddr = parseJson(dataJson);
        }
        this.dataHeapPtr = exports.opaHeapPtrGet();
        this.loadedPages = memory.pages();
    }

    /**
     * Whether an evaluation grew the memory more than {@code slackPages} past what the data needed. Linear memory
     * never shrinks, so such an instance is not kept: a big input would otherwise stay on the heap once per instance.
     */
    boolean grownPast(int slackPages) {
        return memory.pages() > loadedPages + slackPages;
    }

    /** An instance without data, to read the module's exports. The builtins are not resolved yet then. */
    static WasmInstance probe(EngineConfig config, int initialPages, WasmModule module) {
        return new WasmInstance(config, initialPages, new HostBuiltin[0], module, null, InterpreterMachine::new);
    }

    static WasmInstance withData(LoadedPolicy loaded, byte[] dataJson) {
        CompiledPolicy policy = loaded.policy();
        return new WasmInstance(policy.config(), policy.initialPages(), policy.builtinsById(), loaded.module(),
                dataJson, loaded.machineFactory());
    }

    OpaWasm_ModuleExports exports() {
        return exports;
    }

    int abiMajor() {
        return (int) exports.opaWasmAbiVersion().getValue();
    }

    int abiMinor() {
        return (int) exports.opaWasmAbiMinorVersion().getValue();
    }

    /** The JSON behind a value address that the module exports (entrypoints(), builtins()). */
    JsonNode exportedMap(int valueAddr) {
        return JSON.readTree(WasmHost.readCBytes(memory, exports.opaJsonDump(valueAddr)));
    }

    /**
     * Evaluates one entrypoint with the input, through opa_eval (one call instead of about ten), and returns
     * OPA's result set as JSON bytes: {@code [{"result": ...}]}, or {@code []} when undefined.
     *
     * @param deadlineNanos when the evaluation must end ({@link System#nanoTime()}), for builtins that wait
     */
    byte[] evaluate(int entrypointId, byte[] inputJson, long deadlineNanos) {
        host.beginEvaluation(deadlineNanos);
        int inputAddr = dataHeapPtr;
        ensureCapacity((long) inputAddr + inputJson.length);
        memory.write(inputAddr, inputJson);
        int heapPtr = inputAddr + inputJson.length;
        int resultAddr = exports.opaEval(0, entrypointId, dataAddr, inputAddr, inputJson.length, heapPtr, FORMAT_JSON);
        return WasmHost.readCBytes(memory, resultAddr);
    }

    private int parseJson(byte[] json) {
        int addr = exports.opaMalloc(json.length);
        memory.write(addr, json);
        int value = exports.opaJsonParse(addr, json.length);
        if (value == 0) {
            throw new IllegalArgumentException("OPA could not parse the data document");
        }
        return value;
    }

    private void ensureCapacity(long end) {
        long size = Memory.bytes(memory.pages());
        if (end <= size) {
            return;
        }
        int pages = (int) ((end - size + Memory.PAGE_SIZE - 1) / Memory.PAGE_SIZE);
        if (memory.grow(pages) < 0) {
            throw new MemoryCapException("the input needs " + (memory.pages() + pages)
                    + " pages of wasm memory, above the cap of " + memory.maximumPages());
        }
    }

    static final class MemoryCapException extends RuntimeException {
        MemoryCapException(String message) {
            super(message);
        }
    }
}
