package io.portcullis.engine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Compiles Rego to an OPA wasm module with OPA's own Go compiler: our small Go program (opa-compiler/) built
 * natively by the Maven build and packed into the jar. One process per compilation keeps a crash or a leak of
 * the compiler away from the server; a compilation takes about 20 ms plus the process start.
 */
final class OpaCompiler {
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final String PACKED = "/opa-compiler/opa-wasm-compiler";
    private static final long TIMEOUT_SECONDS = 120;

    private final Path executable;
    private final String opaVersion;

    OpaCompiler(Path configured) {
        this.executable = configured != null ? configured : locate();
        this.opaVersion = run(List.of("version"), new byte[0]).trim();
    }

    /** OPA's version: part of every cache key, so a new compiler never reuses an old module. */
    String opaVersion() {
        return opaVersion;
    }

    Path executable() {
        return executable;
    }

    byte[] compile(List<RegoModule> modules, List<String> entrypoints) throws PolicyCompileException {
        ObjectNode request = JSON.createObjectNode();
        ArrayNode mods = request.putArray("modules");
        for (RegoModule m : modules) {
            mods.addObject().put("name", m.name()).put("source", m.source()).put("regoVersion", m.version().wireName());
        }
        ArrayNode eps = request.putArray("entrypoints");
        entrypoints.forEach(eps::add);
        JsonNode answer = JSON.readTree(run(List.of(), JSON.writeValueAsBytes(request)));
        JsonNode errors = answer.path("errors");
        if (errors.isArray() && !errors.isEmpty()) {
            List<CompileError> list = new ArrayList<>();
            for (JsonNode e : errors) {
                list.add(new CompileError(e.path("file").asString(""), e.path("row").asInt(0), e.path("col").asInt(0),
                        e.path("code").asString("compile_error"), e.path("message").asString("")));
            }
            throw new PolicyCompileException(list);
        }
        return answer.path("wasm").binaryValue();
    }

    /** OPA's parse of each module: an outline, or empty when the module does not parse (compile says why). */
    List<Optional<ModuleOutline>> outline(List<RegoModule> modules) {
        ObjectNode request = JSON.createObjectNode();
        ArrayNode mods = request.putArray("modules");
        for (RegoModule m : modules) {
            mods.addObject().put("name", m.name()).put("source", m.source()).put("regoVersion", m.version().wireName());
        }
        JsonNode answer = JSON.readTree(run(List.of("outline"), JSON.writeValueAsBytes(request)));
        List<Optional<ModuleOutline>> out = new ArrayList<>();
        for (JsonNode o : answer.path("outlines")) {
            out.add(o.has("errors") ? Optional.empty() : Optional.of(toOutline(o)));
        }
        return out;
    }

    private static ModuleOutline toOutline(JsonNode o) {
        List<ModuleOutline.Import> imports = new ArrayList<>();
        o.path("imports").forEach(i -> imports.add(new ModuleOutline.Import(strings(i.path("path")), position(i.path("at")))));
        List<ModuleOutline.Rule> rules = new ArrayList<>();
        o.path("rules").forEach(r -> rules.add(new ModuleOutline.Rule(r.path("name").asString(),
                ModuleOutline.HeadKind.valueOf(r.path("head").asString()), position(r.path("at")))));
        List<ModuleOutline.Ref> refs = new ArrayList<>();
        o.path("dataRefs").forEach(r -> refs.add(new ModuleOutline.Ref(strings(r.path("constantPrefix")),
                r.path("text").asString(), position(r.path("at")))));
        List<ModuleOutline.Position> calls = new ArrayList<>();
        o.path("httpSend").forEach(p -> calls.add(position(p)));
        return new ModuleOutline(strings(o.path("package")), position(o.path("at")), imports, rules, refs, calls);
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(s -> out.add(s.asString()));
        return out;
    }

    private static ModuleOutline.Position position(JsonNode at) {
        return new ModuleOutline.Position(at.path("line").asInt(0), at.path("column").asInt(0));
    }

    private String run(List<String> args, byte[] stdin) {
        List<String> command = new ArrayList<>();
        command.add(executable.toString());
        command.addAll(args);
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(false).start();
            CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
            CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
            try (var in = process.getOutputStream()) {
                in.write(stdin);
            }
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("OPA compiler did not finish within " + TIMEOUT_SECONDS + " s");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException("OPA compiler failed (exit " + process.exitValue() + "): "
                        + new String(err.join(), StandardCharsets.UTF_8).trim());
            }
            return new String(out.join(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run the OPA compiler " + executable, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while compiling Rego", e);
        }
    }

    private static byte[] readAll(InputStream in) {
        try (in; var buf = new ByteArrayOutputStream()) {
            in.transferTo(buf);
            return buf.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The compiler to use: $PORTCULLIS_OPA_COMPILER, else the one packed in the jar, extracted once to a
     * directory named after its hash (the jar is read-only and a binary must be a file to run).
     */
    private static Path locate() {
        String env = System.getenv("PORTCULLIS_OPA_COMPILER");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        try (InputStream in = OpaCompiler.class.getResourceAsStream(PACKED)) {
            if (in == null) {
                throw new IllegalStateException("the OPA compiler is not packed in this build (" + PACKED
                        + "); build with Maven, or set PORTCULLIS_OPA_COMPILER");
            }
            byte[] binary = in.readAllBytes();
            String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(binary)).substring(0, 16);
            Path dir = Path.of(System.getProperty("java.io.tmpdir"), "portcullis-opa-compiler-" + hash);
            Path target = dir.resolve("opa-wasm-compiler");
            if (!Files.isExecutable(target)) {
                Files.createDirectories(dir);
                Path tmp = Files.createTempFile(dir, "opa-wasm-compiler", ".part");
                Files.write(tmp, binary);
                tmp.toFile().setExecutable(true, false);
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack the OPA compiler", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
