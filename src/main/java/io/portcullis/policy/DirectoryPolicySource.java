package io.portcullis.policy;

import io.portcullis.expansion.ExpansionSystem;
import io.portcullis.expansion.ExpansionTemplate;
import io.portcullis.constraint.Constraint;
import io.portcullis.constraint.ConstraintTemplate;
import io.portcullis.constraint.GatekeeperConfig;
import io.portcullis.constraint.InvalidConstraintException;
import io.portcullis.constraint.InvalidObjectException;
import io.portcullis.constraint.InvalidTemplateException;
import io.portcullis.constraint.ManifestException;
import io.portcullis.constraint.Manifests;
import io.portcullis.json.JsonFields;
import io.portcullis.constraint.RegoInFile;
import io.portcullis.constraint.TemplateCompiler;
import io.portcullis.constraint.TemplateParser;
import io.portcullis.constraint.Validator;
import io.portcullis.externaldata.InvalidProviderException;
import io.portcullis.externaldata.Provider;
import io.portcullis.externaldata.Providers;
import io.portcullis.mutation.MutationConfig;
import io.portcullis.mutation.MutationConfigLoader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.ObjectNode;

/**
 * Standalone mode: templates, constraints, Config, Providers, inventory objects and mutations come from local
 * directories ({@code portcullis.templates}, {@code .constraints}, {@code .data}, {@code .mutations}) and are reloaded when a
 * file changes. Each load builds a fresh snapshot (templates compile from the engine's cache, so a reload costs
 * little) and swaps it in whole.
 *
 * <p>An edit never switches enforcement off by accident. A changed file is taken only once it has stayed the same
 * for a whole poll, so a file being written is not read half-way; a template, constraint or data file that does
 * not parse, or an object in it that does not load, keeps its last good version in force (see
 * {@link PolicyFileLoad}). Files in error are logged, listed in the readiness details and counted by
 * {@link PolicyFileErrors}. A template that has never compiled enforces nothing; the rest still loads.
 */
@Component
@ConditionalOnProperty(name = "portcullis.source", havingValue = "directories", matchIfMissing = true)
public class DirectoryPolicySource implements InitializingBean, DisposableBean {
    private static final Logger log = LoggerFactory.getLogger(DirectoryPolicySource.class);
    private static final Set<String> EXTENSIONS = Set.of(".yaml", ".yml", ".json");
    private static final long POLL_MILLIS = 1000;

    private final PortcullisProperties properties;
    private final EngineProperties engine;
    private final TemplateCompiler compiler;
    private final ActivePolicies active;
    private final Readiness readiness;
    private final PolicyFileErrors errors;
    private final Providers providers;
    private final ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "portcullis-directory-watch");
        t.setDaemon(true);
        return t;
    });
    // Only the watcher thread touches these.
    private String seen;
    private String loaded;
    private PolicyFileLoad.InForce inForce = PolicyFileLoad.InForce.NONE;

    public DirectoryPolicySource(PortcullisProperties properties, EngineProperties engine, TemplateCompiler compiler,
            ActivePolicies active, Readiness readiness, PolicyFileErrors errors, Providers providers) {
        this.providers = providers;
        this.properties = properties;
        this.engine = engine;
        this.compiler = compiler;
        this.active = active;
        this.readiness = readiness;
        this.errors = errors;
    }

    /**
     * Starts loading as soon as this bean exists, then polls for changes. The first load takes seconds (reading,
     * compiling and warming up the templates) and needs nothing else of the application, so it runs while Spring
     * builds the rest of the context and opens the HTTPS port; admission requests that come before it completes
     * get a 503 ({@link ActivePolicies}).
     */
    @Override
    public void afterPropertiesSet() {
        start();
    }

    void start() {
        watcher.execute(this::reloadIfChanged);
        watcher.scheduleWithFixedDelay(this::reloadIfChanged, POLL_MILLIS, POLL_MILLIS, TimeUnit.MILLISECONDS);
    }

    /**
     * One poll: loads when the files differ from the last load and have not changed since the previous poll, so a
     * file still being written is not taken (the first load does not wait). A file that did not parse is read
     * again as soon as it changes; its last good version stays in force meanwhile.
     */
    void reloadIfChanged() {
        try {
            String now = fingerprint(allPaths());
            boolean settled = now.equals(seen) || loaded == null;
            seen = now;
            if (now.equals(loaded) || !settled) {
                return;
            }
            long start = System.nanoTime();
            PolicySnapshot snapshot = load();
            active.publish(snapshot);
            // What was there before the load: a file changed while loading differs from it at the next poll.
            loaded = now;
            snapshot.problems().forEach(p -> log.warn("not loaded: {}", p));
            log.info("policies loaded: {} templates, {} constraints, {} mutators, {} profile bindings, {} problems in {} ms",
                    snapshot.validator().templates().size(), snapshot.validator().constraints().size(),
                    snapshot.mutation().mutators().mutators().size(), snapshot.mutation().bindings().size(),
                    snapshot.problems().size(), (System.nanoTime() - start) / 1_000_000);
            readiness.markReady();
        } catch (RuntimeException e) {
            // The previous snapshot stays in force; the next poll tries again.
            log.error("reloading policies failed", e);
            active.loadFailed(String.valueOf(e.getMessage()));
        }
    }

    /**
     * Reads every directory into a new snapshot; files and objects in error fall back to what the previous load
     * put in force.
     */
    PolicySnapshot load() {
        PolicyFileLoad files = new PolicyFileLoad(inForce);
        Validator validator = new Validator(compiler);
        precompile(files(List.of(properties.templates())));
        for (Path file : files(List.of(properties.templates()))) {
            for (ObjectNode object : files.read(file)) {
                if (TemplateParser.isTemplate(object)) {
                    files.take(file, object, template -> addTemplate(validator, file, template));
                }
            }
        }
        AtomicReference<GatekeeperConfig> config = new AtomicReference<>(GatekeeperConfig.EMPTY);
        List<ExpansionTemplate> expansions = new ArrayList<>();
        List<Provider> loadedProviders = new ArrayList<>();
        List<String> rejectedProviders = new ArrayList<>();
        for (Path file : files(properties.constraints())) {
            for (ObjectNode object : files.read(file)) {
                if (Constraint.isConstraint(object)) {
                    files.take(file, object, constraint -> addConstraint(validator, constraint));
                } else if (ExpansionTemplate.isExpansionTemplate(object)) {
                    files.take(file, object, template -> addExpansion(expansions, template));
                } else if (Provider.isProvider(object)) {
                    files.take(file, object, p -> addProvider(loadedProviders, rejectedProviders, p));
                } else if (GatekeeperConfig.isConfig(object)) {
                    // As in Gatekeeper, only the Config named "config" counts; another one must not silently
                    // replace it (whichever file sorted last would win).
                    if (GatekeeperConfig.NAME.equals(JsonFields.name(object))) {
                        files.take(file, object, c -> parseConfig(c, config));
                    } else {
                        files.error(file, "Config " + JsonFields.name(object) + ": ignored; only the Config named '"
                                + GatekeeperConfig.NAME + "' is honoured");
                    }
                }
            }
        }
        for (Path file : files(properties.data())) {
            for (ObjectNode object : files.read(file)) {
                files.take(file, object, o -> addData(validator, o));
            }
        }
        MutationConfig mutation = mutations(files(properties.mutations()), files);
        // In force before the warm-up and the snapshot, so the first review that calls external_data finds them.
        providers.replaceAll(loadedProviders, rejectedProviders);
        // Group the templates into as few modules as possible and warm them up before this snapshot is served.
        validator.prepare(engine.warmUp());
        inForce = files.inForce();
        errors.replace(files.errors());
        return new PolicySnapshot(validator, config.get(), mutation, files.problems(), new ExpansionSystem(expansions));
    }

    /**
     * Compiles every readable template of the files in parallel first, so that loading them one by one below (in
     * file order, with the last-good fallbacks) takes each from the compiler's cache.
     */
    private void precompile(List<Path> templateFiles) {
        List<ConstraintTemplate> templates = new ArrayList<>();
        for (Path file : templateFiles) {
            try {
                for (ObjectNode object : Manifests.readObjects(file)) {
                    if (TemplateParser.isTemplate(object)) {
                        templates.add(TemplateParser.parse(object, file.toString()));
                    }
                }
            } catch (ManifestException | InvalidTemplateException e) {
                // reported by the load itself
            }
        }
        compiler.compileAll(templates);
    }

    private String addTemplate(Validator validator, Path file, ObjectNode object) {
        try {
            validator.addTemplate(TemplateParser.parse(object, file.toString()));
            return null;
        } catch (InvalidTemplateException e) {
            return "ConstraintTemplate " + JsonFields.name(object) + ": " + e.getMessage() + positionsInFile(file, object, e);
        }
    }

    private static String addConstraint(Validator validator, ObjectNode object) {
        try {
            validator.addConstraint(object);
            return null;
        } catch (InvalidConstraintException e) {
            return object.path("kind").asString() + " " + JsonFields.name(object) + ": " + e.getMessage();
        }
    }

    private static String addExpansion(List<ExpansionTemplate> expansions, ObjectNode object) {
        try {
            expansions.add(ExpansionTemplate.parse(object));
            return null;
        } catch (ExpansionTemplate.InvalidExpansionTemplateException e) {
            return "ExpansionTemplate " + JsonFields.name(object) + ": " + e.getMessage();
        }
    }

    private static String addProvider(List<Provider> providers, List<String> rejected, ObjectNode object) {
        try {
            providers.add(Provider.parse(object));
            return null;
        } catch (InvalidProviderException e) {
            rejected.add(JsonFields.name(object));
            return "Provider " + JsonFields.name(object) + ": " + e.getMessage();
        }
    }

    private static String parseConfig(ObjectNode object, AtomicReference<GatekeeperConfig> config) {
        try {
            config.set(GatekeeperConfig.parse(object));
            return null;
        } catch (InvalidObjectException e) {
            return "Config " + JsonFields.name(object) + ": " + e.getMessage();
        }
    }

    private static String addData(Validator validator, ObjectNode object) {
        try {
            validator.addData(object);
            return null;
        } catch (InvalidObjectException e) {
            return JsonFields.name(object) + ": " + e.getMessage();
        }
    }

    /**
     * The mutation configuration of these files. A file that does not load is reported and left out, and the
     * others still load, as templates do: one mistyped mutator must not switch off every mutator and binding.
     * (Mutation files in error do not keep a last good version.)
     */
    private static MutationConfig mutations(List<Path> files, PolicyFileLoad load) {
        if (files.isEmpty()) {
            return MutationConfig.EMPTY;
        }
        try {
            return MutationConfigLoader.load(files.toArray(Path[]::new));
        } catch (MutationConfigLoader.MutationConfigException all) {
            List<Path> loadable = new ArrayList<>();
            for (Path file : files) {
                try {
                    MutationConfigLoader.load(file);
                    loadable.add(file);
                } catch (MutationConfigLoader.MutationConfigException e) {
                    e.errors().forEach(error -> load.error(file, error));
                }
            }
            if (loadable.isEmpty()) {
                return MutationConfig.EMPTY;
            }
            try {
                return MutationConfigLoader.load(loadable.toArray(Path[]::new));
            } catch (MutationConfigLoader.MutationConfigException e) {
                // Files that load alone but conflict together: reported against the first of them.
                e.errors().forEach(error -> load.error(loadable.getFirst(), error));
                return MutationConfig.EMPTY;
            }
        }
    }

    /** " (at template.yaml:12:9)": OPA's Rego positions turned into the YAML file's, where they can be. */
    private static String positionsInFile(Path file, ObjectNode object, InvalidTemplateException e) {
        try {
            String text = Files.readString(file);
            ConstraintTemplate template = TemplateParser.parse(object, file.toString());
            List<String> at = e.errors().stream()
                    .map(err -> RegoInFile.locate(text, file.toString(), template, err))
                    .flatMap(Optional::stream)
                    .toList();
            return at.isEmpty() ? "" : " (at " + String.join(", ", at) + ")";
        } catch (IOException | InvalidTemplateException ignored) {
            return "";
        }
    }

    private List<Path> allPaths() {
        List<Path> all = new ArrayList<>();
        all.add(properties.templates());
        all.addAll(properties.constraints());
        all.addAll(properties.data());
        all.addAll(properties.mutations());
        return all;
    }

    /** The manifest files under the paths (a path may also be one file), in a stable order. */
    static List<Path> files(List<Path> paths) {
        List<Path> out = new ArrayList<>();
        for (Path root : paths) {
            if (root == null || !Files.exists(root)) {
                continue;
            }
            try (Stream<Path> walk = Files.walk(root)) {
                walk.filter(Files::isRegularFile)
                        .filter(p -> EXTENSIONS.stream().anyMatch(ext -> p.getFileName().toString().endsWith(ext)))
                        .sorted()
                        .forEach(out::add);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + root, e);
            }
        }
        return out;
    }

    /** Names, sizes and modification times of every file: any edit, addition or removal changes it. */
    private static String fingerprint(List<Path> paths) {
        StringBuilder sb = new StringBuilder();
        for (Path file : files(paths)) {
            try {
                // The full-precision time, so that two writes within a millisecond still differ.
                sb.append(file).append(' ').append(Files.size(file)).append(' ')
                        .append(Files.getLastModifiedTime(file).toInstant()).append('\n');
            } catch (IOException e) {
                sb.append(file).append(" unreadable\n");
            }
        }
        return sb.toString();
    }

    @Override
    public void destroy() {
        watcher.shutdownNow();
    }
}
