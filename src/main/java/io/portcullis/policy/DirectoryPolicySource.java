package io.portcullis.policy;

import io.portcullis.constraint.Constraint;
import io.portcullis.constraint.ConstraintTemplate;
import io.portcullis.constraint.GatekeeperConfig;
import io.portcullis.constraint.InvalidConstraintException;
import io.portcullis.constraint.InvalidObjectException;
import io.portcullis.constraint.InvalidTemplateException;
import io.portcullis.constraint.Kube;
import io.portcullis.constraint.ManifestException;
import io.portcullis.constraint.Manifests;
import io.portcullis.constraint.RegoInFile;
import io.portcullis.constraint.TemplateCompiler;
import io.portcullis.constraint.TemplateParser;
import io.portcullis.constraint.Validator;
import io.portcullis.mutation.MutationConfig;
import io.portcullis.mutation.MutationConfigLoader;
import io.portcullis.webhook.PortcullisProperties;
import io.portcullis.webhook.Readiness;
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
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.ObjectNode;

/**
 * Standalone mode: templates, constraints, Config, inventory objects and mutations come from local directories
 * ({@code portcullis.templates}, {@code .constraints}, {@code .data}, {@code .mutations}) and are reloaded when a
 * file changes. Each load builds a fresh snapshot (templates compile from the engine's cache, so a reload costs
 * little) and swaps it in whole. A template that does not compile is reported with file, line and column and
 * enforces nothing; the rest still loads.
 */
@Component
@ConditionalOnProperty(name = "portcullis.source", havingValue = "directories", matchIfMissing = true)
public class DirectoryPolicySource implements DisposableBean {
    private static final Logger log = LoggerFactory.getLogger(DirectoryPolicySource.class);
    private static final Set<String> EXTENSIONS = Set.of(".yaml", ".yml", ".json");
    private static final long POLL_SECONDS = 2;

    private final PortcullisProperties properties;
    private final TemplateCompiler compiler;
    private final ActivePolicies active;
    private final Readiness readiness;
    private final ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "portcullis-directory-watch");
        t.setDaemon(true);
        return t;
    });
    private volatile String fingerprint = "";

    public DirectoryPolicySource(PortcullisProperties properties, TemplateCompiler compiler, ActivePolicies active,
            Readiness readiness) {
        this.properties = properties;
        this.compiler = compiler;
        this.active = active;
        this.readiness = readiness;
    }

    /** Loads once the server is up (the HTTPS port answers health checks meanwhile), then polls for changes. */
    @EventListener(ApplicationReadyEvent.class)
    public void start() {
        watcher.execute(this::reloadIfChanged);
        watcher.scheduleWithFixedDelay(this::reloadIfChanged, POLL_SECONDS, POLL_SECONDS, TimeUnit.SECONDS);
    }

    private void reloadIfChanged() {
        try {
            String now = fingerprint(allPaths());
            if (now.equals(fingerprint)) {
                return;
            }
            long start = System.nanoTime();
            PolicySnapshot snapshot = load();
            active.publish(snapshot);
            fingerprint = now;
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

    /** Reads every directory into a new snapshot. */
    PolicySnapshot load() {
        List<String> problems = new ArrayList<>();
        Validator validator = new Validator(compiler);
        for (Path file : files(List.of(properties.templates()))) {
            for (ObjectNode object : objects(file, problems)) {
                if (TemplateParser.isTemplate(object)) {
                    try {
                        validator.addTemplate(TemplateParser.parse(object, file.toString()));
                    } catch (InvalidTemplateException e) {
                        problems.add(file + ": ConstraintTemplate " + Kube.name(object) + ": " + e.getMessage()
                                + positionsInFile(file, object, e));
                    }
                }
            }
        }
        GatekeeperConfig config = GatekeeperConfig.EMPTY;
        for (Path file : files(properties.constraints())) {
            for (ObjectNode object : objects(file, problems)) {
                try {
                    if (Constraint.isConstraint(object)) {
                        validator.addConstraint(object);
                    } else if (GatekeeperConfig.isConfig(object)) {
                        // As in Gatekeeper, only the Config named "config" counts; another one must not silently
                        // replace it (whichever file sorted last would win).
                        if (GatekeeperConfig.NAME.equals(Kube.name(object))) {
                            config = GatekeeperConfig.parse(object);
                        } else {
                            problems.add(file + ": Config " + Kube.name(object) + ": ignored; only the Config named '"
                                    + GatekeeperConfig.NAME + "' is honoured");
                        }
                    }
                } catch (InvalidConstraintException | InvalidObjectException e) {
                    problems.add(file + ": " + object.path("kind").asString() + " " + Kube.name(object) + ": " + e.getMessage());
                }
            }
        }
        for (Path file : files(properties.data())) {
            for (ObjectNode object : objects(file, problems)) {
                try {
                    validator.addData(object);
                } catch (InvalidObjectException e) {
                    problems.add(file + ": " + Kube.name(object) + ": " + e.getMessage());
                }
            }
        }
        return new PolicySnapshot(validator, config, mutations(files(properties.mutations()), problems), problems);
    }

    /**
     * The mutation configuration of these files. A file that does not load is reported and left out, and the
     * others still load, as templates do: one mistyped mutator must not switch off every mutator and binding.
     */
    private static MutationConfig mutations(List<Path> files, List<String> problems) {
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
                    problems.addAll(e.errors());
                }
            }
            try {
                return MutationConfigLoader.load(loadable.toArray(Path[]::new));
            } catch (MutationConfigLoader.MutationConfigException e) {
                problems.addAll(e.errors());
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

    private static List<ObjectNode> objects(Path file, List<String> problems) {
        try {
            return Manifests.readObjects(file).stream()
                    // Sample AdmissionReviews sit next to constraints in examples/; they are requests, not objects.
                    .filter(o -> !"AdmissionReview".equals(o.path("kind").asString()))
                    .toList();
        } catch (ManifestException e) {
            problems.add(file + ": " + e.getMessage());
            return List.of();
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
                sb.append(file).append(' ').append(Files.size(file)).append(' ')
                        .append(Files.getLastModifiedTime(file).toMillis()).append('\n');
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
