package io.portcullis.mutation;

import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MappingIterator;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.dataformat.yaml.YAMLMapper;
import tools.jackson.dataformat.yaml.YAMLWriteFeature;

/** Multi-document YAML (JSON is YAML too) in and out, with Jackson 3's YAML module. */
public final class YamlDocuments {
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
        List<JsonNode> documents = new ArrayList<>();
        // readValues(parser), unlike readValues(String), does not unwrap a document that is a list.
        try (JsonParser parser = YAML.createParser(text);
             MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(parser)) {
            while (it.hasNextValue()) {
                JsonNode doc = it.nextValue();
                if (doc == null || doc.isNull() || doc.isMissingNode()) {
                    continue;
                }
                if ("List".equals(JsonValues.text(doc, "kind")) && doc.get("items") instanceof ArrayNode items) {
                    items.values().forEach(documents::add);
                } else {
                    documents.add(doc);
                }
            }
        } catch (JacksonException e) {
            throw new IllegalArgumentException("cannot parse " + origin + ": " + e.getOriginalMessage(), e);
        }
        return documents;
    }

    public static String write(JsonNode node) {
        return YAML.writeValueAsString(node);
    }
}
