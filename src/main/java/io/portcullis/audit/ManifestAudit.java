package io.portcullis.audit;

import io.portcullis.constraint.Constraint;
import io.portcullis.constraint.GatekeeperConfig;
import io.portcullis.constraint.GatorNamespaces;
import io.portcullis.constraint.Gvk;
import io.portcullis.constraint.InvalidConstraintException;
import io.portcullis.constraint.InvalidObjectException;
import io.portcullis.constraint.InvalidTemplateException;
import io.portcullis.json.JsonFields;
import io.portcullis.constraint.ManifestException;
import io.portcullis.constraint.Manifests;
import io.portcullis.constraint.TemplateCompiler;
import io.portcullis.constraint.TemplateParser;
import io.portcullis.constraint.Validator;
import io.portcullis.expansion.ExpansionSystem;
import io.portcullis.expansion.ExpansionTemplate;
import io.portcullis.mutation.MutationConfig;
import io.portcullis.mutation.gatekeeper.Mutator;
import io.portcullis.mutation.gatekeeper.MutatorSystem;
import io.portcullis.mutation.gatekeeper.Mutators;
import io.portcullis.policy.PolicySnapshot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Audit without a cluster: the objects come from manifest files, as if they were what the cluster holds.
 * Files are read one at a time, so only one file's objects are in memory at once (plus the Namespaces, read in
 * a first pass, and the objects Config syncs into the inventory). A {@code kind: List} (what
 * {@code kubectl get -o yaml} writes) counts as its items.
 *
 * <p>Namespaces are resolved from the Namespace objects among the files, then the inventory; an object whose
 * Namespace is in neither is reviewed without one, as gator does, rather than skipped. As in {@code gator test}
 * ({@link GatorNamespaces}), an object without {@code metadata.namespace} is in no namespace, not in
 * {@code default}, and {@code default} exists even when no file holds it.
 *
 * <p>ExpansionTemplates among the files expand the objects as the cluster audit expands them: a Deployment is also
 * reviewed as the Pod it would create (mutated by the Gatekeeper mutators among the files that take Generated
 * objects), and that Pod's violations are reported on the Deployment with {@code [Implied by TEMPLATE]}.
 */
public final class ManifestAudit {
    private final List<Path> files;
    private final Clock clock;

    /** Bad input: an unreadable or unparsable file, or a template or constraint that does not load. */
    public static final class InvalidInputException extends Exception {
        public InvalidInputException(String message) {
            super(message);
        }
    }

    /** @param files the manifest files to audit, in the order given (see {@link #files}) */
    public ManifestAudit(List<Path> files) {
        this(files, Clock.systemUTC());
    }

    ManifestAudit(List<Path> files, Clock clock) {
        this.files = List.copyOf(files);
        this.clock = clock;
    }

    /**
     * The manifest files under the paths: a file as given, a directory's .yaml, .yml and .json files
     * recursively, sorted.
     */
    public static List<Path> files(List<Path> paths) throws InvalidInputException {
        List<Path> out = new ArrayList<>();
        for (Path path : paths) {
            if (!Files.exists(path)) {
                throw new InvalidInputException(path + ": no such file or directory");
            }
            if (!Files.isDirectory(path)) {
                out.add(path);
                continue;
            }
            try (Stream<Path> walk = Files.walk(path)) {
                walk.filter(Files::isRegularFile).filter(ManifestAudit::isManifest).sorted().forEach(out::add);
            } catch (IOException | UncheckedIOException e) {
                throw new InvalidInputException("cannot list " + path + ": " + e.getMessage());
            }
        }
        return out;
    }

    /**
     * The ConstraintTemplates, constraints, Config, ExpansionTemplates and Gatekeeper mutators among the files,
     * loaded strictly: the first one that does not load is an error (a one-shot audit should not quietly audit less
     * than asked).
     */
    public static PolicySnapshot loadPolicies(List<Path> files, TemplateCompiler compiler) throws InvalidInputException {
        Validator validator = new Validator(compiler);
        List<ObjectNode> constraints = new ArrayList<>();
        GatekeeperConfig config = GatekeeperConfig.EMPTY;
        List<ExpansionTemplate> expansions = new ArrayList<>();
        List<Mutator> mutators = new ArrayList<>();
        for (Path file : files) {
            for (ObjectNode object : read(file)) {
                try {
                    if (TemplateParser.isTemplate(object)) {
                        validator.addTemplate(TemplateParser.parse(object, file.toString()));
                    } else if (Constraint.isConstraint(object)) {
                        constraints.add(object);
                    } else if (GatekeeperConfig.isConfig(object)) {
                        config = GatekeeperConfig.parse(object);
                    } else if (ExpansionTemplate.isExpansionTemplate(object)) {
                        expansions.add(ExpansionTemplate.parse(object));
                    } else if (Mutators.isMutator(object)) {
                        mutators.add(Mutators.parse(object));
                    }
                } catch (InvalidTemplateException | InvalidObjectException
                        | ExpansionTemplate.InvalidExpansionTemplateException | Mutators.InvalidMutatorException e) {
                    throw new InvalidInputException(file + ": " + JsonFields.text(object.path("kind")) + " "
                            + JsonFields.name(object) + ": " + e.getMessage());
                }
            }
        }
        for (ObjectNode constraint : constraints) {
            try {
                validator.addConstraint(constraint);
            } catch (InvalidConstraintException e) {
                throw new InvalidInputException(JsonFields.text(constraint.path("kind")) + " " + JsonFields.name(constraint) + ": "
                        + e.getMessage());
            }
        }
        validator.prepare(Duration.ZERO); // one module for all templates: each object is parsed once
        return new PolicySnapshot(validator, config, MutationConfig.of(List.of(), List.of(), mutators), List.of(),
                new ExpansionSystem(expansions));
    }

    /** Audits every object of the files against the validator's constraints, without expansion. */
    public AuditReport run(Validator validator, GatekeeperConfig config, int violationsLimit, AuditProgress progress)
            throws InvalidInputException {
        return run(validator, config, ExpansionSystem.EMPTY, new MutatorSystem(List.of()), violationsLimit, progress);
    }

    /**
     * Audits every object of the files against the validator's constraints, and the objects they expand into
     * with the ExpansionTemplates, mutated by the mutators that take Generated objects.
     */
    public AuditReport run(Validator validator, GatekeeperConfig config, ExpansionSystem expansion,
            MutatorSystem mutators, int violationsLimit, AuditProgress progress) throws InvalidInputException {
        Map<String, JsonNode> namespaces = new HashMap<>();
        for (Path file : files) {
            for (ObjectNode object : read(file)) {
                if (JsonFields.isNamespace(object)) {
                    namespaces.put(JsonFields.name(object), object);
                }
                if (config.syncs(Gvk.of(object)) && !config.isExcluded(GatekeeperConfig.Process.SYNC, object, null)) {
                    try {
                        validator.addData(object);
                    } catch (InvalidObjectException e) {
                        throw new InvalidInputException(file + ": " + JsonFields.describe(object) + ": " + e.getMessage());
                    }
                }
            }
        }
        NamespaceLookup lookup = new NamespaceLookup() {
            @Override
            public JsonNode find(String name) {
                JsonNode ns = namespaces.get(name);
                return ns != null ? ns : validator.inventory().namespace(name);
            }

            /** As in `portcullis test`: an object without a namespace is in none, not in default. */
            @Override
            public JsonNode forObject(JsonNode object) {
                return GatorNamespaces.of(object, this::find);
            }
        };
        AuditRun run = new AuditRun(clock.instant(), validator, config, lookup, violationsLimit)
                .expandWith(expansion, mutators);
        for (Path file : files) {
            progress.update(file.toString(), run.reviewed(), run.violations());
            for (ObjectNode object : read(file)) {
                Gvk gvk = Gvk.of(object);
                if (gvk.kind().isEmpty() || gvk.version().isEmpty()) {
                    run.error(file + ": an object without apiVersion or kind: " + JsonFields.describe(object));
                    continue;
                }
                run.review(object);
            }
        }
        progress.update("", run.reviewed(), run.violations());
        return run.finish(clock.instant());
    }

    /** The file's objects, a List's items in its place. */
    private static List<ObjectNode> read(Path file) throws InvalidInputException {
        List<ObjectNode> objects = new ArrayList<>();
        try {
            for (ObjectNode object : Manifests.readObjects(file)) {
                if (JsonFields.text(object.path("kind")).endsWith("List") && object.path("items").isArray()) {
                    for (JsonNode item : object.get("items")) {
                        if (item instanceof ObjectNode o) {
                            objects.add(o);
                        }
                    }
                } else {
                    objects.add(object);
                }
            }
        } catch (ManifestException e) {
            throw new InvalidInputException(e.getMessage());
        }
        return objects;
    }

    private static boolean isManifest(Path file) {
        String n = file.getFileName().toString();
        return n.endsWith(".yaml") || n.endsWith(".yml") || n.endsWith(".json");
    }
}
