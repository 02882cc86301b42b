package io.portcullis.cli;

import io.portcullis.mutation.AdmissionMutator;
import io.portcullis.json.JsonFields;
import io.portcullis.mutation.MutationConfig;
import io.portcullis.mutation.MutationConfigLoader;
import io.portcullis.mutation.MutationConfigLoader.MutationConfigException;
import io.portcullis.mutation.error.MutationException;
import io.portcullis.mutation.MutationRequest;
import io.portcullis.mutation.MutationResult;
import io.portcullis.mutation.YamlDocuments;
import io.portcullis.mutation.profiles.ProfileBinder;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code portcullis mutate}: shows what admission would do to objects, with Gatekeeper mutators and SPO profile
 * bindings read from files. Namespace objects found in {@code --mutations} or in the input give namespace labels
 * (SPO's opt-in label, {@code namespaceSelector}s). Exit code 0 on success, 1 when admission would reject an
 * object, 2 for unusable input.
 */
@Command(name = "mutate", mixinStandardHelpOptions = true,
        description = "Apply Gatekeeper mutators and SPO profile bindings to objects, as admission would.")
public final class MutateCommand implements Callable<Integer> {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    enum Output { yaml, json, patch }

    @Spec
    private CommandSpec spec;

    @Option(names = {"-f", "--filename"}, required = true, paramLabel = "OBJECT",
            description = "File with the object(s) to mutate (YAML or JSON, several documents allowed); - for stdin.")
    private String filename;

    @Option(names = "--mutations", required = true, paramLabel = "DIR",
            description = "Directory or file with mutators, SPO profiles, ProfileBindings and Namespaces.")
    private List<Path> mutations;

    @Option(names = {"-o", "--output"}, defaultValue = "yaml", paramLabel = "FORMAT",
            description = "yaml (default), json, or patch (the RFC 6902 JSON Patch).")
    private Output output;

    @Option(names = "--operation", defaultValue = "CREATE",
            description = "Admission operation: CREATE (default) or UPDATE.")
    private String operation;

    @Option(names = {"-n", "--namespace"},
            description = "Namespace of the request; default: the object's metadata.namespace, else \"default\".")
    private String namespace;

    @Option(names = "--unready-profiles", defaultValue = "reject",
            description = "Bound profiles without status: reject (SPO's behaviour, default), skip, or bind.")
    private String unreadyProfiles;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ProfileBinder.UnreadyProfiles unready;
        try {
            unready = ProfileBinder.UnreadyProfiles.valueOf(unreadyProfiles.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            err.println("error: --unready-profiles must be reject, skip or bind");
            return 2;
        }
        MutationConfig config;
        List<JsonNode> objects;
        try {
            config = MutationConfigLoader.load(mutations.toArray(Path[]::new));
            objects = YamlDocuments.read(readInput(), "-".equals(filename) ? "stdin" : filename);
        } catch (MutationConfigException e) {
            e.errors().forEach(m -> err.println("error: " + m));
            return 2;
        } catch (IOException | IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return 2;
        }
        if (objects.isEmpty()) {
            err.println("error: no object in " + filename);
            return 2;
        }
        AdmissionMutator mutator = new AdmissionMutator(new ProfileBinder(unready));
        List<String> rendered = new ArrayList<>();
        for (JsonNode object : objects) {
            String ns = namespace != null ? namespace : namespaceOf(object);
            try {
                MutationResult result = mutator.mutate(
                        new MutationRequest(operation, ns, findNamespace(ns, config, objects), object), config);
                rendered.add(render(result));
            } catch (MutationException e) {
                err.println("error: " + describe(object) + " would be rejected: " + e.getMessage());
                return 1;
            }
        }
        out.print(String.join(output == Output.yaml ? "---\n" : "", rendered));
        out.flush();
        return 0;
    }

    private String render(MutationResult result) {
        return switch (output) {
            case yaml -> YamlDocuments.write(result.object());
            case json -> JSON.writerWithDefaultPrettyPrinter().writeValueAsString(result.object()) + "\n";
            case patch -> JSON.writeValueAsString(result.patch()) + "\n";
        };
    }

    private String readInput() throws IOException {
        if ("-".equals(filename)) {
            return new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
        }
        return Files.readString(Path.of(filename), StandardCharsets.UTF_8);
    }

    /** Cluster-scoped kinds cannot be told from the object alone; an object without namespace gets "default". */
    private static String namespaceOf(JsonNode object) {
        String ns = JsonFields.textOrNull(object.path("metadata"), "namespace");
        if ("Namespace".equals(JsonFields.textOrNull(object, "kind"))) {
            return "";
        }
        return ns == null || ns.isEmpty() ? "default" : ns;
    }

    private static JsonNode findNamespace(String name, MutationConfig config, List<JsonNode> inputs) {
        for (JsonNode input : inputs) {
            if ("Namespace".equals(JsonFields.textOrNull(input, "kind")) && name.equals(JsonFields.textOrNull(input.path("metadata"), "name"))) {
                return input;
            }
        }
        return config.namespaces().get(name);
    }

    private static String describe(JsonNode object) {
        return JsonFields.textOrNull(object, "kind") + " " + JsonFields.textOrNull(object.path("metadata"), "name");
    }
}
