package io.portcullis.mutation;

import io.portcullis.json.JsonFields;
import io.portcullis.mutation.gatekeeper.Mutator;
import io.portcullis.mutation.gatekeeper.Mutators;
import io.portcullis.mutation.profiles.ProfileBinding;
import io.portcullis.mutation.profiles.ProfileCatalog;
import io.portcullis.mutation.profiles.SecurityProfile;
import io.portcullis.mutation.profiles.SpoResources;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;

/**
 * Reads a {@link MutationConfig} from YAML or JSON files: SPO profiles and ProfileBindings, Gatekeeper mutators,
 * and Namespace objects. A directory is read recursively ({@code .yaml}, {@code .yml}, {@code .json}, in path
 * order); files may hold several documents. Other kinds are ignored, so a directory of mixed manifests works.
 * Invalid profiles, bindings or mutators are errors (the cluster would have refused them), all reported at once.
 */
public final class MutationConfigLoader {
    private MutationConfigLoader() {
    }

    /**
     * @param paths files or directories
     * @throws MutationConfigException when a file cannot be read or parsed, or an object is invalid
     */
    public static MutationConfig load(Path... paths) throws MutationConfigException {
        List<SecurityProfile> profiles = new ArrayList<>();
        List<ProfileBinding> bindings = new ArrayList<>();
        List<Mutator> mutators = new ArrayList<>();
        Map<String, JsonNode> namespaces = new LinkedHashMap<>();
        List<String> errors = new ArrayList<>();
        for (Path file : files(paths)) {
            List<JsonNode> documents;
            try {
                documents = YamlDocuments.read(Files.readString(file, StandardCharsets.UTF_8), file.toString());
            } catch (IOException e) {
                errors.add("cannot read " + file + ": " + e.getMessage());
                continue;
            } catch (IllegalArgumentException e) {
                errors.add(e.getMessage());
                continue;
            }
            for (JsonNode doc : documents) {
                try {
                    if (Mutators.isMutator(doc)) {
                        mutators.add(Mutators.parse(doc));
                    } else if (SpoResources.isBinding(doc)) {
                        bindings.add(SpoResources.parseBinding(doc));
                    } else if (SpoResources.isSpoResource(doc)) {
                        profiles.add(SpoResources.parseProfile(doc));
                    } else if ("v1".equals(JsonFields.textOrNull(doc, "apiVersion")) && "Namespace".equals(JsonFields.textOrNull(doc, "kind"))) {
                        String name = JsonFields.textOrNull(doc.path("metadata"), "name");
                        if (name != null) {
                            namespaces.put(name, doc);
                        }
                    }
                } catch (IllegalArgumentException e) {
                    errors.add(file + ": " + e.getMessage());
                }
            }
        }
        if (!errors.isEmpty()) {
            throw new MutationConfigException(errors);
        }
        return new MutationConfig(new ProfileCatalog(profiles), bindings,
                new io.portcullis.mutation.gatekeeper.MutatorSystem(mutators), namespaces);
    }

    private static List<Path> files(Path... paths) throws MutationConfigException {
        List<Path> files = new ArrayList<>();
        for (Path path : paths) {
            if (Files.isDirectory(path)) {
                try (Stream<Path> walk = Files.walk(path)) {
                    walk.filter(Files::isRegularFile).filter(MutationConfigLoader::isManifest).sorted().forEach(files::add);
                } catch (IOException | UncheckedIOException e) {
                    throw new MutationConfigException(List.of("cannot list " + path + ": " + e.getMessage()));
                }
            } else if (Files.isRegularFile(path)) {
                files.add(path);
            } else {
                throw new MutationConfigException(List.of(path + " does not exist"));
            }
        }
        return files;
    }

    private static boolean isManifest(Path file) {
        String name = file.getFileName().toString();
        return name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".json");
    }

    /** The configuration could not be loaded; {@link #errors()} lists every problem found. */
    public static final class MutationConfigException extends Exception {
        private final List<String> errors;

        public MutationConfigException(List<String> errors) {
            super(String.join("\n", errors));
            this.errors = List.copyOf(errors);
        }

        public List<String> errors() {
            return errors;
        }
    }
}
