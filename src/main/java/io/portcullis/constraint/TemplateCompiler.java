package io.portcullis.constraint;

import io.portcullis.constraint.cel.CelCode;
import io.portcullis.constraint.cel.CelTemplate;
import io.portcullis.engine.CompileError;
import io.portcullis.engine.cache.LruCache;
import io.portcullis.engine.ModuleOutline;
import io.portcullis.engine.OpaErrorText;
import io.portcullis.engine.CompiledPolicy;
import io.portcullis.engine.PolicyCompileException;
import io.portcullis.engine.PolicyEngine;
import io.portcullis.engine.RegoModule;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

/**
 * Checks a template's Rego as Gatekeeper does at ingestion ([FW] constraint/pkg/client/drivers/rego/compilers.go
 * and regorewriter) and compiles it with the real OPA compiler, once per distinct template code. Thread-safe;
 * one instance is meant to be shared (its cache makes re-adding a template cheap).
 *
 * <p>The template runs under {@link BatchHook}, Gatekeeper's hook: all matching constraints of the template in one
 * query, results whose {@code msg} is undefined dropped and {@code details} defaulting to {@code {}}. Several
 * templates can also be compiled into one module ({@link #compileGroup}), so that a review is parsed into wasm
 * memory once for all of them.
 */
public final class TemplateCompiler {
    private static final String PREFIX = "invalid ConstraintTemplate: ";

    private final PolicyEngine engine;
    /** Compiled templates by code; bounded so edits over a long uptime do not pile up old versions. */
    private final LruCache<String, CompiledPolicy> cache = new LruCache<>(256);
    /** Compiled templates by their whole definition. */
    private final LruCache<ConstraintTemplate, CompiledTemplate> templates = new LruCache<>(256);
    /** Units by module, shared by every client while one evaluates them, so their warm instances are too. */
    private final UnitCache units = new UnitCache();

    /** Whether the CEL driver is installed (Gatekeeper's {@code --enable-k8s-native-validation}, default true). */
    private final boolean celEnabled;

    /** A compiler with the CEL driver installed, as Gatekeeper has it by default. */
    public TemplateCompiler(PolicyEngine engine) {
        this(engine, true);
    }

    /**
     * @param celEnabled whether the CEL driver runs templates that have {@code K8sNativeValidation} code; without
     *     it they run their Rego and CEL-only templates are refused, as Gatekeeper with
     *     {@code --enable-k8s-native-validation=false}
     */
    public TemplateCompiler(PolicyEngine engine, boolean celEnabled) {
        this.engine = engine;
        this.celEnabled = celEnabled;
    }

    public boolean celEnabled() {
        return celEnabled;
    }

    public PolicyEngine engine() {
        return engine;
    }

    /**
     * Compiles the templates in parallel (one task per core), so their compiles fill the caches and a following
     * {@link #compile} of each is cheap; the outcome of each, in order: the compiled template or why it was refused.
     */
    public List<Outcome> compileAll(List<ConstraintTemplate> templates) {
        int threads = Math.max(1, Math.min(templates.size(), Runtime.getRuntime().availableProcessors()));
        List<Outcome> outcomes = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "portcullis-template-compile");
            t.setDaemon(true);
            return t;
        })) {
            List<Future<CompiledTemplate>> futures = new ArrayList<>();
            for (ConstraintTemplate template : templates) {
                futures.add(pool.submit(() -> compile(template)));
            }
            for (int i = 0; i < templates.size(); i++) {
                outcomes.add(outcome(templates.get(i), futures.get(i)));
            }
        }
        return outcomes;
    }

    /** What became of one template of {@link #compileAll}: exactly one of the two is set. */
    public record Outcome(ConstraintTemplate template, CompiledTemplate compiled, InvalidTemplateException error) {
    }

    private static Outcome outcome(ConstraintTemplate template, Future<CompiledTemplate> future) {
        try {
            return new Outcome(template, future.get(), null);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof InvalidTemplateException invalid) {
                return new Outcome(template, null, invalid);
            }
            throw new IllegalStateException("compiling template " + template.name() + " failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while compiling templates", e);
        }
    }

    /**
     * Compiles the template for the driver Gatekeeper would choose: its CEL when it has some and the CEL driver is
     * installed, else its Rego; a template neither driver can run is refused with the framework's error.
     */
    public CompiledTemplate compile(ConstraintTemplate template) throws InvalidTemplateException {
        // The same template again (every directory reload re-reads every file): no compiler process at all.
        CompiledTemplate known = templates.get(template);
        if (known != null) {
            return known;
        }
        CompiledTemplate compiled = compileFresh(template);
        templates.put(template, compiled);
        return compiled;
    }

    private CompiledTemplate compileFresh(ConstraintTemplate template) throws InvalidTemplateException {
        if (celEnabled && template.celSource() != null) {
            return compileCel(template);
        }
        RegoCode code = template.rego();
        if (code == null) {
            // [FW] client.go AddTemplate: the drivers by priority (the order they were registered in), and the
            // engine chosen for the template, none.
            throw ingest("no language driver is installed that handles this constraint template: available drivers: "
                    + (celEnabled ? "map[K8sNativeValidation:1 Rego:2]" : "map[Rego:1]") + ", wanted \"\"");
        }
        String entryName = moduleName(template, "");
        List<String> libNames = new ArrayList<>();
        for (int i = 0; i < code.libs().size(); i++) {
            libNames.add(moduleName(template, ".lib" + i));
        }

        // OPA's parser reads every module once; one that does not parse is left to the compiler, which says
        // exactly what is wrong and where.
        List<RegoModule> sources = new ArrayList<>();
        sources.add(new RegoModule(entryName, code.rego(), code.version()));
        for (int i = 0; i < code.libs().size(); i++) {
            sources.add(new RegoModule(libNames.get(i), code.libs().get(i), code.version()));
        }
        List<Optional<ModuleOutline>> outlines = engine.outline(sources);
        ModuleOutline entry = outlines.get(0).orElse(null);
        if (entry == null) {
            compileModules(template, code, entryName, libNames, List.of("portcullis_unreadable"), OpaErrorText.NONE);
            throw ingest(PREFIX + entryName + ": cannot parse the module");
        }
        List<ModuleOutline> libs = new ArrayList<>();
        List<String> readableLibNames = new ArrayList<>();
        for (int i = 0; i < code.libs().size(); i++) {
            Optional<ModuleOutline> lib = outlines.get(i + 1);
            if (lib.isPresent()) {
                libs.add(lib.get());
                readableLibNames.add(libNames.get(i));
            }
        }
        // Gatekeeper's order: required rules, lib packages, imports, data references; then compilation.
        requireViolation(entry, entryName);
        for (int i = 0; i < libs.size(); i++) {
            checkLibPackage(libs.get(i), readableLibNames.get(i));
        }
        checkImports(entry, entryName);
        for (int i = 0; i < libs.size(); i++) {
            checkImports(libs.get(i), readableLibNames.get(i));
        }
        boolean usesInventory = checkDataRefs(entry, entryName);
        for (int i = 0; i < libs.size(); i++) {
            usesInventory |= checkDataRefs(libs.get(i), readableLibNames.get(i));
        }
        checkHttpSend(entry, entryName);
        for (int i = 0; i < libs.size(); i++) {
            checkHttpSend(libs.get(i), readableLibNames.get(i));
        }
        List<String> packagePath = entry.packagePath();
        CompiledPolicy policy = compileModules(template, code, entryName, libNames, packagePath,
                errorText(entryName, entry, libNames, outlines));
        if (policy.builtins().contains("http.send")) {
            throw ingest(PREFIX + "unable to compile modules: undefined function http.send");
        }
        List<List<String>> packages = new ArrayList<>();
        packages.add(packagePath);
        libs.forEach(lib -> packages.add(lib.packagePath()));
        return new CompiledTemplate(template, policy, usesInventory, templateModules(code, entryName, libNames),
                packages, units);
    }

    /** Checks the template's K8sNativeValidation source as Gatekeeper's driver does and compiles every expression. */
    private static CompiledTemplate compileCel(ConstraintTemplate template) throws InvalidTemplateException {
        String where = "spec.targets[0].code[" + celIndex(template) + "].source";
        try {
            return new CompiledTemplate(template, CelTemplate.compile(CelCode.parse(template.celSource()), where));
        } catch (IllegalArgumentException e) {
            throw ingest(PREFIX + e.getMessage() + " (template " + template.name() + originSuffix(template) + ")");
        }
    }

    private static int celIndex(ConstraintTemplate template) {
        int i = 0;
        for (var code : template.object().path("spec").path("targets").path(0).path("code")) {
            if (code.path("source") == template.celSource()) {
                return i;
            }
            i++;
        }
        return 0;
    }

    /**
     * Compiles several templates, already compiled one by one, into one module whose hook dispatches to each
     * (their packages must not overlap: see {@link TemplateGroups}). Lib modules that templates share verbatim
     * are included once.
     */
    EvaluationUnit compileGroup(List<CompiledTemplate> templates) throws PolicyCompileException {
        Map<String, RegoModule> modules = new LinkedHashMap<>();
        Set<String> librarySources = new LinkedHashSet<>();
        List<BatchHook.Target> targets = new ArrayList<>();
        boolean usesInventory = false;
        Set<String> kinds = new LinkedHashSet<>();
        for (CompiledTemplate t : templates) {
            for (int i = 0; i < t.modules().size(); i++) {
                RegoModule m = t.modules().get(i);
                if (i > 0 && !librarySources.add(m.version() + "\0" + m.source())) {
                    continue;
                }
                modules.putIfAbsent(m.name(), m);
            }
            targets.add(new BatchHook.Target(t.template().kind(), t.packagePaths().get(0)));
            usesInventory |= t.usesInventory();
            kinds.add(t.template().kind());
        }
        List<RegoModule> all = new ArrayList<>(modules.values());
        all.add(BatchHook.module(targets));
        String key = cacheKey(all);
        CompiledPolicy policy = cache.get(key);
        if (policy == null) {
            OpaErrorText errorText = OpaErrorText.NONE;
            for (CompiledTemplate t : templates) {
                errorText = errorText.and(t.policy().errorText());
            }
            policy = engine.compile(all, List.of(BatchHook.ENTRYPOINT)).withErrorText(errorText);
            cache.put(key, policy);
        }
        return units.of(policy, kinds, usesInventory);
    }

    /**
     * Evaluation errors name the modules as Gatekeeper's Rego driver parses them ([FW] drivers/rego/compilers.go):
     * the template's Rego is {@code template}, its i-th lib {@code libs["lib_i"]}.
     */
    private static OpaErrorText errorText(String entryName, ModuleOutline entry, List<String> libNames,
            List<Optional<ModuleOutline>> outlines) {
        OpaErrorText text = OpaErrorText.NONE.with(entryName, "template", entry);
        for (int i = 0; i < libNames.size(); i++) {
            Optional<ModuleOutline> lib = outlines.get(i + 1);
            if (lib.isPresent()) {
                text = text.with(libNames.get(i), "libs[\"lib_" + i + "\"]", lib.get());
            }
        }
        return text;
    }

    private static List<RegoModule> templateModules(RegoCode code, String entryName, List<String> libNames) {
        List<RegoModule> modules = new ArrayList<>();
        modules.add(new RegoModule(entryName, code.rego(), code.version()));
        for (int i = 0; i < code.libs().size(); i++) {
            modules.add(new RegoModule(libNames.get(i), code.libs().get(i), code.version()));
        }
        return List.copyOf(modules);
    }

    private CompiledPolicy compileModules(ConstraintTemplate template, RegoCode code, String entryName,
            List<String> libNames, List<String> packagePath, OpaErrorText errorText) throws InvalidTemplateException {
        List<RegoModule> modules = new ArrayList<>(templateModules(code, entryName, libNames));
        modules.add(BatchHook.module(List.of(new BatchHook.Target(template.kind(), packagePath))));
        String key = cacheKey(modules);
        CompiledPolicy cached = cache.get(key);
        if (cached != null) {
            return cached;
        }
        try {
            CompiledPolicy policy = engine.compile(modules, List.of(BatchHook.ENTRYPOINT)).withErrorText(errorText);
            cache.put(key, policy);
            return policy;
        } catch (PolicyCompileException e) {
            List<CompileError> errors = e.errors();
            String detail = errors.isEmpty() ? e.getMessage()
                    : errors.stream().map(CompileError::toString).collect(Collectors.joining("; "));
            String kind = errors.stream().allMatch(err -> err.code().equals("rego_parse_error")) && !errors.isEmpty()
                    ? "" : "unable to compile modules: ";
            throw new InvalidTemplateException(InvalidTemplateException.INGEST_ERROR,
                    PREFIX + kind + detail + " (template " + template.name() + originSuffix(template) + ")", errors);
        }
    }

    private static void requireViolation(ModuleOutline entry, String module) throws InvalidTemplateException {
        List<ModuleOutline.Rule> violations = entry.rules().stream().filter(r -> r.name().equals("violation")).toList();
        if (violations.isEmpty()) {
            throw ingest(PREFIX + "invalid rego: invalid module: missing required rules: [violation]");
        }
        for (ModuleOutline.Rule rule : violations) {
            if (rule.head() != ModuleOutline.HeadKind.PARTIAL_SET) {
                String hint = rule.head() == ModuleOutline.HeadKind.PARTIAL_OBJECT
                        ? " (in Rego v1 write `violation contains {\"msg\": msg} if { ... }`)" : "";
                throw ingest(PREFIX + "invalid rego: " + module + ":" + rule.position().line() + ":"
                        + rule.position().column() + ": violation must be a partial set rule, e.g. "
                        + "violation[{\"msg\": msg}] { ... }" + hint, module, rule.position());
            }
        }
    }

    private static void checkLibPackage(ModuleOutline lib, String module) throws InvalidTemplateException {
        List<String> path = lib.packagePath();
        if (path.size() < 2 || !path.get(0).equals("lib")) {
            List<String> ref = new ArrayList<>();
            ref.add("data");
            ref.addAll(path);
            throw ingest(PREFIX + "invalid lib prefix: path " + ModuleOutline.refText(ref)
                    + " not found in lib prefixes", module, lib.packagePosition());
        }
    }

    private static void checkImports(ModuleOutline module, String name) throws InvalidTemplateException {
        for (ModuleOutline.Import imp : module.imports()) {
            List<String> path = imp.path();
            if (!path.isEmpty() && path.get(0).equals("input")) {
                throw ingest(PREFIX + "invalid import: cannot import input: \"" + imp.text() + "\"", name, imp.position());
            }
            boolean lib = path.size() >= 2 && path.get(0).equals("data") && path.get(1).equals("lib");
            boolean future = path.size() >= 2 && path.get(0).equals("future");
            if (!lib && !future) {
                throw ingest(PREFIX + "invalid import: bad import: \"" + imp.text() + "\"", name, imp.position());
            }
        }
    }

    /** Fails on data references outside data.lib and data.inventory; answers whether data.inventory is read. */
    private static boolean checkDataRefs(ModuleOutline module, String name) throws InvalidTemplateException {
        boolean inventory = false;
        List<String> disallowed = new ArrayList<>();
        ModuleOutline.Position first = null;
        for (ModuleOutline.Ref ref : module.dataRefs()) {
            List<String> prefix = ref.constantPrefix();
            if (prefix.size() >= 2 && prefix.get(1).equals("inventory")) {
                inventory = true;
            } else if (!(prefix.size() >= 2 && prefix.get(1).equals("lib"))) {
                disallowed.add("disallowed ref " + ref.text());
                first = first == null ? ref.position() : first;
            }
        }
        if (!disallowed.isEmpty()) {
            throw ingest(PREFIX + "invalid data references: check refs failed on module " + name + ": "
                    + String.join(", ", disallowed), name, first);
        }
        return inventory;
    }

    private static void checkHttpSend(ModuleOutline module, String name) throws InvalidTemplateException {
        if (!module.httpSendCalls().isEmpty()) {
            ModuleOutline.Position at = module.httpSendCalls().get(0);
            throw ingest(PREFIX + "unable to compile modules: " + name + ":" + at.line() + ": rego_type_error: "
                    + "undefined function http.send (http.send is disabled)", name, at);
        }
    }

    /** Names modules after the template (and its file) so compile errors say where. */
    static String moduleName(ConstraintTemplate template, String part) {
        String origin = template.origin().isEmpty() ? "" : template.origin() + "/";
        return origin + template.name() + part + ".rego";
    }

    private static String originSuffix(ConstraintTemplate template) {
        return template.origin().isEmpty() ? "" : " in " + template.origin();
    }

    private static String cacheKey(List<RegoModule> modules) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (RegoModule m : modules) {
                for (String part : List.of(m.name(), m.version().name(), m.source())) {
                    sha.update(part.getBytes(StandardCharsets.UTF_8));
                    sha.update((byte) 0);
                }
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static InvalidTemplateException ingest(String message) {
        return new InvalidTemplateException(InvalidTemplateException.INGEST_ERROR, message);
    }

    private static InvalidTemplateException ingest(String message, String module, ModuleOutline.Position at) {
        List<CompileError> located = at == null ? List.of()
                : List.of(new CompileError(module, at.line(), at.column(), "rego_template_error", message));
        return new InvalidTemplateException(InvalidTemplateException.INGEST_ERROR, message, located);
    }
}
