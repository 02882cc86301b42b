package io.portcullis.engine;

import com.dylibso.chicory.compiler.InterpreterFallback;
import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.InterpreterMachine;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasm.WasmModule;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;

/**
 * A {@link CompiledPolicy} parsed, and compiled to JVM bytecode on first use, shared by all its instances
 * (opa-java-wasm would recompile it for every instance). It holds the parsed module, several MB for an OPA module,
 * for as long as it is referenced: whoever evaluates keeps one, and lets it go when the module stops evaluating.
 * Thread-safe.
 */
public final class LoadedPolicy {
    private final CompiledPolicy policy;
    private final WasmModule module;
    private final DirectoryBytecodeCache bytecodeCache;
    private volatile Function<Instance, Machine> machineFactory;

    LoadedPolicy(CompiledPolicy policy, WasmModule module, DirectoryBytecodeCache bytecodeCache) {
        this.policy = policy;
        this.module = module;
        this.bytecodeCache = bytecodeCache;
    }

    public CompiledPolicy policy() {
        return policy;
    }

    /** An evaluator with this data document resident in every instance it creates. */
    public PolicyEvaluator withData(JsonNode data) {
        return new PolicyEvaluator(this, data);
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
                    factory = compile();
                    machineFactory = factory;
                }
            }
        }
        return factory;
    }

    private Function<Instance, Machine> compile() {
        if (policy.config().executionMode() == ExecutionMode.INTERPRETED) {
            return InterpreterMachine::new;
        }
        var builder = MachineFactoryCompiler.builder(module).withInterpreterFallback(InterpreterFallback.WARN);
        if (bytecodeCache != null) {
            builder.withCache(bytecodeCache);
        }
        return builder.compile();
    }
}
