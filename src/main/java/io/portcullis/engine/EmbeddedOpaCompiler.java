package io.portcullis.engine;

import com.dylibso.chicory.compiler.InterpreterFallback;
import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasi.WasiExitException;
import com.dylibso.chicory.wasi.WasiOptions;
import com.dylibso.chicory.wasi.WasiPreview1;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Compiles Rego to an OPA wasm module inside the JVM: the same Go program as {@link OpaCompiler}, built with
 * GOOS=wasip1, run on Chicory with WASI (stdin = the request, stdout = the answer). The jar then needs no
 * native binary, at the price of about 0.8 s per compilation instead of 70 ms and about 150 MB more memory
 * (figures in docs/embedded-compiler.md).
 *
 * <p>Go's runtime is single-threaded and not reentrant, so every compilation gets a fresh instance. Most of
 * a compilation is Go's runtime and package initialisation (about 0.75 s of 0.85 s), which does not depend on
 * the request: so one spare instance is always started ahead, initialised and waiting on stdin, and the next
 * compilation only pays for OPA's compiler itself.
 */
final class EmbeddedOpaCompiler implements OpaCompiler.Program {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedOpaCompiler.class);
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    /** Written by the chicory-compiler-maven-plugin (profile embedded-compiler): JVM classes plus a stripped module. */
    static final String PRECOMPILED_MACHINE = "io.portcullis.engine.EmbeddedOpaWasmMachine";
    static final String PRECOMPILED_META = "EmbeddedOpaWasm.meta";

    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    /** Chicory's compiled code recurses on the Java stack; Go's deepest call chains need more than 1 MB. */
    private static final long STACK_BYTES = 16L << 20;
    /** 1 GiB of linear memory: a template compiles in about 30 MB, so this only stops a runaway. */
    private static final int MAX_PAGES = 16384;

    private final WasmModule module;
    private final Function<Instance, Machine> machines;
    private final AtomicReference<Run> spare = new AtomicReference<>();
    private volatile boolean closed;

    private EmbeddedOpaCompiler(WasmModule module, Function<Instance, Machine> machines) {
        this.module = module;
        this.machines = machines;
        startSpare();
    }

    /**
     * The embedded compiler for {@code compilerMode EMBEDDED}: the precompiled one when this build packed it,
     * else the given wasip1 module translated now (slow, see {@link #compileAtRuntime(Path)}).
     *
     * @param wasm a GOOS=wasip1 build of opa-compiler/, or null to accept only the precompiled one
     */
    static EmbeddedOpaCompiler open(Path wasm) {
        if (precompiledAvailable() || wasm == null) {
            return precompiled();
        }
        log.warn("no precompiled embedded OPA compiler in this build: translating {} now, which takes about 40 s "
                + "and keeps about 850 MB of heap (build with -Pembedded-compiler to avoid it)", wasm);
        return compileAtRuntime(wasm);
    }

    /** True when the build packed the module compiled at build time (Maven profile embedded-compiler). */
    static boolean precompiledAvailable() {
        return EmbeddedOpaCompiler.class.getResource(PRECOMPILED_META) != null;
    }

    /**
     * The compiler from the classes generated at build time: about 1 s to load and 75 MB of heap, against
     * 40 s and 850 MB for {@link #compileAtRuntime(Path)}.
     */
    static EmbeddedOpaCompiler precompiled() {
        if (!precompiledAvailable()) {
            throw new IllegalStateException("this build has no embedded OPA compiler; build with "
                    + "`bin/mvn -Pembedded-compiler package`, or use the native compiler");
        }
        WasmModule module;
        try (InputStream in = EmbeddedOpaCompiler.class.getResourceAsStream(PRECOMPILED_META)) {
            module = Parser.parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + PRECOMPILED_META, e);
        }
        Constructor<?> machine;
        try {
            machine = Class.forName(PRECOMPILED_MACHINE).getConstructor(Instance.class);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the embedded OPA compiler is packed incompletely: " + e, e);
        }
        return new EmbeddedOpaCompiler(module, instance -> {
            try {
                return (Machine) machine.newInstance(instance);
            } catch (InvocationTargetException e) {
                throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /**
     * The compiler from a GOOS=wasip1 build of opa-compiler/, translated to JVM bytecode now by Chicory's
     * runtime compiler. Slow to start (about 10 s to parse, 30 s to translate, on 2 cores) and it keeps the
     * parsed module (about 850 MB of heap): for trying a module the build did not precompile, not for serving.
     */
    static EmbeddedOpaCompiler compileAtRuntime(Path wasm) {
        long start = System.nanoTime();
        WasmModule module = Parser.parse(wasm);
        long parsed = System.nanoTime();
        // Four Go functions (OPA's ast.init, the wasm backend's compileBlock, ...) exceed the JVM's 64 KB method
        // limit: Chicory interprets those.
        Function<Instance, Machine> machines = MachineFactoryCompiler.builder(module)
                .withInterpreterFallback(InterpreterFallback.WARN)
                .compile();
        log.info("embedded OPA compiler {}: parsed in {} ms, translated to JVM bytecode in {} ms", wasm,
                (parsed - start) / 1_000_000, (System.nanoTime() - parsed) / 1_000_000);
        return new EmbeddedOpaCompiler(module, machines);
    }

    /** OPA's version: part of every cache key, so a new compiler never reuses an old module. */
    /**
     * One run of the program. The compile mode (no arguments) takes the spare instance, whose Go runtime is
     * already initialised; other modes start a fresh one.
     */
    @Override
    public byte[] run(List<String> args, byte[] stdin) {
        if (closed) {
            throw new IllegalStateException("the embedded OPA compiler is closed");
        }
        if (!args.isEmpty()) {
            return new Run(args).answer(stdin);
        }
        Run run = spare.getAndSet(null);
        if (run == null) {
            run = new Run(List.of());
        }
        try {
            return run.answer(stdin);
        } finally {
            startSpare();
        }
    }

    /** Stops the spare instance. */
    @Override
    public void close() {
        closed = true;
        Run run = spare.getAndSet(null);
        if (run != null) {
            run.discard();
        }
    }

    private void startSpare() {
        if (closed) {
            return;
        }
        Run fresh = new Run(List.of());
        if (!spare.compareAndSet(null, fresh) || closed) {
            fresh.discard();
        }
    }

    /**
     * One run of the Go program on its own thread and instance. It starts at once and initialises Go's
     * runtime and OPA's packages, then blocks reading stdin until {@link #answer} hands it the request.
     */
    private final class Run {
        private final Stdin stdin = new Stdin();
        private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        private final CompletableFuture<Integer> exit = new CompletableFuture<>();
        private final Thread thread;

        Run(List<String> args) {
            List<String> argv = new ArrayList<>();
            argv.add("opa-wasm-compiler");
            argv.addAll(args);
            thread = new Thread(null, () -> execute(argv), "embedded-opa-compiler", STACK_BYTES);
            thread.setDaemon(true);
            thread.start();
        }

        private void execute(List<String> argv) {
            WasiOptions options = WasiOptions.builder()
                    .withArguments(argv)
                    .withStdin(stdin)
                    .withStdout(stdout)
                    .withStderr(stderr)
                    .build();
            try (WasiPreview1 wasi = WasiPreview1.builder().withOptions(options).build()) {
                Instance instance = Instance.builder(module)
                        .withImportValues(ImportValues.builder().addFunction(wasi.toHostFunctions()).build())
                        .withMachineFactory(machines)
                        .withMemoryLimits(memoryLimits())
                        .withStart(false)
                        .build();
                instance.export("_start").apply();
                exit.complete(0);
            } catch (WasiExitException e) {
                exit.complete(e.exitCode());
            } catch (Throwable t) {
                exit.completeExceptionally(t);
            }
        }

        private MemoryLimits memoryLimits() {
            int initial = module.memorySection().map(s -> s.getMemory(0).limits().initialPages()).orElse(0);
            return new MemoryLimits(initial, Math.max(initial, MAX_PAGES));
        }

        /** Sends the request, waits for the program to end, and returns what it printed. */
        byte[] answer(byte[] request) {
            stdin.provide(request);
            int code;
            try {
                code = exit.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                discard();
                throw new IllegalStateException("embedded OPA compiler did not finish within " + TIMEOUT.toSeconds() + " s");
            } catch (InterruptedException e) {
                discard();
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while compiling Rego", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("embedded OPA compiler crashed: " + e.getCause() + stderrSuffix(), e.getCause());
            }
            if (code != 0) {
                throw new IllegalStateException("embedded OPA compiler failed (exit " + code + ")" + stderrSuffix());
            }
            return stdout.toByteArray();
        }

        private String stderrSuffix() {
            String err = stderr.toString(StandardCharsets.UTF_8).trim();
            return err.isEmpty() ? "" : ": " + err;
        }

        /** Chicory stops at the next interruption check; a thread waiting on stdin stops at once. */
        void discard() {
            thread.interrupt();
        }
    }

    /** stdin of a {@link Run}: blocks until the request arrives, then yields it and end of file. */
    private static final class Stdin extends InputStream {
        private final CompletableFuture<byte[]> request = new CompletableFuture<>();
        private int position;

        void provide(byte[] bytes) {
            request.complete(bytes);
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            byte[] bytes;
            try {
                bytes = request.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("embedded OPA compiler discarded");
            } catch (ExecutionException e) {
                throw new IOException(e.getCause());
            }
            if (position >= bytes.length) {
                return -1;
            }
            int n = Math.min(length, bytes.length - position);
            System.arraycopy(bytes, position, buffer, offset, n);
            position += n;
            return n;
        }

        @Override
        public int available() {
            byte[] bytes = request.getNow(null);
            return bytes == null ? 0 : bytes.length - position;
        }
    }
}
