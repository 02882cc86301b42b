package io.portcullis.engine;

import com.dylibso.chicory.runtime.Memory;
import com.styra.opa.wasm.OpaWasm_Env;
import com.styra.opa.wasm.OpaWasm_ModuleExports;
import com.styra.opa.wasm.OpaWasm_ModuleImports;
import io.portcullis.engine.builtins.BuiltinException;
import io.portcullis.engine.builtins.Evaluation;
import io.portcullis.engine.builtins.HostBuiltin;
import io.portcullis.engine.builtins.RegoValues;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * The imports one OPA wasm instance needs (env.memory, env.opa_abort, env.opa_builtin0..4), on
 * opa-java-wasm's generated bindings. Host builtins get their arguments as Rego values (opa_value_dump keeps
 * sets apart from arrays) and return theirs through opa_value_parse.
 */
final class WasmHost implements OpaWasm_ModuleImports, OpaWasm_Env {
    private static final Logger log = LoggerFactory.getLogger(WasmHost.class);

    /** opa_abort: OPA's runtime errors (conflicts, out of memory) end the evaluation here. */
    static final class AbortException extends RuntimeException {
        AbortException(String message) {
            super(message);
        }
    }

    /** A host builtin failed while strict builtin errors are on. */
    static final class StrictBuiltinException extends RuntimeException {
        StrictBuiltinException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final Memory memory;
    private final HostBuiltin[] builtinsById;
    private final boolean strictBuiltinErrors;
    private OpaWasm_ModuleExports exports;
    private CurrentEvaluation evaluation = new CurrentEvaluation(Long.MAX_VALUE);

    WasmHost(Memory memory, HostBuiltin[] builtinsById, boolean strictBuiltinErrors) {
        this.memory = memory;
        this.builtinsById = builtinsById == null ? new HostBuiltin[0] : builtinsById;
        this.strictBuiltinErrors = strictBuiltinErrors;
    }

    /** The exports exist only once the instance does, and the builtins call back into them. */
    void bind(OpaWasm_ModuleExports exports) {
        this.exports = exports;
    }

    /**
     * A new evaluation starts: builtins see its deadline ({@link System#nanoTime()} based) and a fresh memo, so
     * nothing memoised for one review answers another.
     */
    void beginEvaluation(long deadlineNanos) {
        evaluation = new CurrentEvaluation(deadlineNanos);
    }

    private static final class CurrentEvaluation implements Evaluation {
        private final long deadlineNanos;
        private Map<String, JsonNode> memo;

        CurrentEvaluation(long deadlineNanos) {
            this.deadlineNanos = deadlineNanos;
        }

        @Override
        public Duration timeLeft() {
            return deadlineNanos == Long.MAX_VALUE ? Duration.ofDays(1)
                    : Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime()));
        }

        @Override
        public Map<String, JsonNode> memo() {
            if (memo == null) {
                memo = new HashMap<>();
            }
            return memo;
        }
    }

    @Override
    public OpaWasm_Env env() {
        return this;
    }

    @Override
    public Memory memory() {
        return memory;
    }

    @Override
    public void opaAbort(int addr) {
        throw new AbortException(readCString(memory, addr));
    }

    @Override
    public int opaBuiltin0(int id, int ctx) {
        return call(id);
    }

    @Override
    public int opaBuiltin1(int id, int ctx, int a) {
        return call(id, a);
    }

    @Override
    public int opaBuiltin2(int id, int ctx, int a, int b) {
        return call(id, a, b);
    }

    @Override
    public int opaBuiltin3(int id, int ctx, int a, int b, int c) {
        return call(id, a, b, c);
    }

    @Override
    public int opaBuiltin4(int id, int ctx, int a, int b, int c, int d) {
        return call(id, a, b, c, d);
    }

    /** Returns the address of the result value, or 0 for undefined (OPA's non-strict builtin errors). */
    private int call(int id, int... argAddrs) {
        HostBuiltin builtin = id >= 0 && id < builtinsById.length ? builtinsById[id] : null;
        if (builtin == null) {
            // Checked when the policy was loaded; reaching this means the module lied about its builtins.
            throw new AbortException("builtin id " + id + " is not implemented by the host");
        }
        List<JsonNode> args = new ArrayList<>(argAddrs.length);
        for (int addr : argAddrs) {
            args.add(RegoValues.parse(readCString(memory, exports.opaValueDump(addr))));
        }
        JsonNode result;
        try {
            result = builtin.call(args, evaluation);
        } catch (BuiltinException e) {
            if (strictBuiltinErrors) {
                // The builtins word their errors as OPA does, name first ("sprintf: operand 2 must be ...").
                throw new StrictBuiltinException(e.getMessage(), e);
            }
            log.debug("builtin {} failed, the expression is undefined: {}", builtin.name(), e.getMessage());
            return 0;
        }
        if (result == null) {
            return 0;
        }
        byte[] text = RegoValues.toRegoText(result).getBytes(StandardCharsets.UTF_8);
        int addr = exports.opaMalloc(text.length);
        memory.write(addr, text);
        return exports.opaValueParse(addr, text.length);
    }

    static String readCString(Memory memory, int addr) {
        return new String(readCBytes(memory, addr), StandardCharsets.UTF_8);
    }

    static byte[] readCBytes(Memory memory, int addr) {
        int end = addr;
        int limit = Memory.bytes(memory.pages());
        while (end < limit && memory.read(end) != 0) {
            end++;
        }
        return memory.readBytes(addr, end - addr);
    }
}
