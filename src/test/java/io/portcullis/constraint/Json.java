package io.portcullis.constraint;

import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** Test helpers: JSON and YAML literals. */
final class Json {
    static final ObjectMapper MAPPER = JsonMapper.builder().build();

    private Json() {
    }

    /** JSON with single quotes for readability in Java strings. */
    static ObjectNode obj(String json) {
        return (ObjectNode) MAPPER.readTree(json.replace('\'', '"'));
    }

    static JsonNode node(String json) {
        return MAPPER.readTree(json.replace('\'', '"'));
    }

    static ObjectNode yaml(String yaml) {
        try {
            List<ObjectNode> objects = Manifests.readObjects(yaml, "test");
            return objects.getFirst();
        } catch (ManifestException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
