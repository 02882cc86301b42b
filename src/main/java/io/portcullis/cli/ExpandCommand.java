package io.portcullis.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;

import io.portcullis.json.JsonFields;
import io.portcullis.constraint.ManifestException;
import io.portcullis.expansion.ExpansionException;
import io.portcullis.expansion.Expander;
import io.portcullis.expansion.ExpansionTemplate;
import io.portcullis.expansion.Resultant;
import io.portcullis.mutation.YamlDocuments;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code portcullis expand}, as {@code gator expand} ([GK] cmd/gator/expand, pkg/gator/expand): the ExpansionTemplates,
 * mutators and Namespaces among the inputs expand every input object (mutated first as an Original object) into its
 * resultants, printed sorted as gator sorts them, separated by {@code ---}. Exit 1 on any error.
 */
@Command(name = "expand", mixinStandardHelpOptions = true,
        description = "Expand generator resources (a Deployment into its Pod, ...) with the ExpansionTemplates and "
                + "mutators among the inputs, like gator expand.")
public final class ExpandCommand implements Callable<Integer> {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Spec
    private CommandSpec spec;

    @Option(names = {"-n", "--filename"}, required = true, paramLabel = "FILE_OR_DIR",
            description = "A file or directory of Kubernetes resources; repeatable; - for stdin.")
    private List<String> filenames;

    @Option(names = {"-f", "--format"}, defaultValue = "yaml", description = "Output format: yaml (default) or json.")
    private String format;

    @Option(names = {"-o", "--outputfile"}, paramLabel = "FILE", description = "Write the output to this file.")
    private Path outputFile;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!format.equals("yaml") && !format.equals("json")) {
            err.println("unrecognized value for format flag: " + format);
            return 1;
        }
        List<ObjectNode> objects = new ArrayList<>();
        try {
            for (String name : filenames) {
                TestCommand.read(name, objects);
            }
        } catch (ManifestException | IOException e) {
            err.println("reading: " + e.getMessage());
            return 1;
        }
        if (objects.isEmpty()) {
            err.println("no input data identified");
            return 1;
        }
        List<ObjectNode> resultants;
        try {
            resultants = expand(objects);
        } catch (ExpansionException | ExpansionTemplate.InvalidExpansionTemplateException
                | IllegalArgumentException e) {
            err.println("error expanding resources: " + e.getMessage());
            return 1;
        }
        // gator's order: by name + apiVersion + kind, descending.
        resultants.sort(Comparator.comparing((ObjectNode o) -> JsonFields.name(o) + JsonFields.text(o.path("apiVersion"))
                + JsonFields.text(o.path("kind"))).reversed());
        List<String> rendered = new ArrayList<>();
        for (ObjectNode r : resultants) {
            rendered.add(format.equals("json") ? JSON.writerWithDefaultPrettyPrinter().writeValueAsString(r) + "\n"
                    : YamlDocuments.write(r));
        }
        String output = String.join("---\n", rendered);
        if (outputFile == null) {
            out.println(output);
        } else {
            out.println("Writing output to file: " + outputFile);
            Files.writeString(outputFile, output + "\n", StandardCharsets.UTF_8);
        }
        out.flush();
        return 0;
    }

    private static List<ObjectNode> expand(List<ObjectNode> objects) throws ExpansionException,
            ExpansionTemplate.InvalidExpansionTemplateException {
        Expander expander = Expander.of(objects);
        List<ObjectNode> resultants = new ArrayList<>();
        for (ObjectNode object : objects) {
            for (Resultant r : expander.expand(object)) {
                resultants.add(r.object());
            }
        }
        return resultants;
    }
}
