package io.portcullis.mutation;

import java.util.ArrayList;
import java.util.List;
import org.snakeyaml.engine.v2.api.LoadSettings;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MappingIterator;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.dataformat.yaml.YAMLFactory;
import tools.jackson.dataformat.yaml.YAMLMapper;
import tools.jackson.dataformat.yaml.YAMLWriteFeature;

/** Multi-document YAML (JSON is YAML too) in and out, with Jackson 3's YAML module. */
public final class YamlDocuments {
    /** snakeyaml-engine stops at 3 MiB by default; admission requests carry objects of several MiB. */
    private static final int MAX_CODE_POINTS = 64 * 1024 * 1024;

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final YAMLMapper YAML = YAMLMapper.builder(YAMLFactory.builder()
                    .loadSettings(LoadSettings.builder().setCodePointLimit(MAX_CODE_POINTS).build())
                    .build())
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
        List<JsonNode> documents = new ArrayList<>();
        // readValues(parser), unlike readValues(String), does not unwrap a document that is a list.
        try (JsonParser parser = YAML.createParser(text);
             MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(parser)) {
            while (it.hasNextValue()) {
                documents.add(it.nextValue());
            }
        } catch (JacksonException e) {
            throw new IllegalArgumentException("cannot parse " + origin + ": " + e.getOriginalMessage(), e);
        }
        return unwrapLists(documents);
    }

    private static List<JsonNode> unwrapLists(List<JsonNode> documents) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode doc : documents) {
            if (doc == null || doc.isNull() || doc.isMissingNode()) {
                continue;
            }
            if ("List".equals(JsonValues.text(doc, "kind")) && doc.get("items") instanceof ArrayNode items) {
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
