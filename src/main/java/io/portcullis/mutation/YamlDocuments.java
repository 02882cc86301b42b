package io.portcullis.mutation;

import io.portcullis.json.JsonFields;
import io.portcullis.constraint.ManifestException;
import io.portcullis.constraint.Manifests;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MappingIterator;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.dataformat.yaml.YAMLMapper;
import tools.jackson.dataformat.yaml.YAMLWriteFeature;

/**
 * Multi-document YAML (JSON is YAML too) in, YAML out.
 *
 * <p>Reading follows the YAML rules of Go's Kubernetes tooling (kubectl, Gatekeeper, SPO), through the project's
 * {@link Manifests} reader: {@code yes}/{@code on} are booleans, {@code ~} is null, {@code 0644} is octal. Jackson's
 * YAML parser reads all of these as strings, so a mutator written for Gatekeeper would assign other values here.
 * JSON text goes to Jackson's JSON parser, which also reads objects of several MiB quickly. Writing uses Jackson 3's
 * YAML module.
 */
public final class YamlDocuments {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final YAMLMapper YAML = YAMLMapper.builder()
            .disable(YAMLWriteFeature.WRITE_DOC_START_MARKER)
            .enable(YAMLWriteFeature.MINIMIZE_QUOTES)
            .build();

    private YamlDocuments() {
    }

    /**
     * The non-empty documents of {@code text}; {@code origin} names it in errors. A {@code kind: List} document
     * (as {@code kubectl get -o yaml} writes) stands for its items.
     */
    public static List<JsonNode> read(String text, String origin) {
        String start = text.stripLeading();
        if (start.startsWith("{") || start.startsWith("[")) {
            // JSON is YAML, but Jackson's JSON parser reads a large object far faster than the YAML one.
            try (JsonParser parser = JSON.createParser(text);
                 MappingIterator<JsonNode> it = JSON.readerFor(JsonNode.class).readValues(parser)) {
                return unwrapLists(it.readAll());
            } catch (JacksonException e) {
                // Not JSON after all (YAML flow style): read it as YAML below.
            }
        }
        try {
            return unwrapLists(Manifests.read(text, origin));
        } catch (ManifestException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private static List<JsonNode> unwrapLists(List<JsonNode> documents) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode doc : documents) {
            if (doc == null || doc.isNull() || doc.isMissingNode()) {
                continue;
            }
            if ("List".equals(JsonFields.textOrNull(doc, "kind")) && doc.get("items") instanceof ArrayNode items) {
                items.values().forEach(out::add);
            } else {
                out.add(doc);
            }
        }
        return out;
    }

    public static String write(JsonNode node) {
        return YAML.writeValueAsString(node);
    }
}
