package io.portcullis.engine;

import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/** JSON with object keys sorted and numbers normalised, so equal values print equally. */
final class Canonical {
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private Canonical() {}

    static String json(JsonNode node) {
        return JSON.writeValueAsString(sorted(node));
    }

    private static Object sorted(JsonNode node) {
        if (node.isObject()) {
            Map<String, Object> m = new TreeMap<>();
            node.properties().forEach(e -> m.put(e.getKey(), sorted(e.getValue())));
            return m;
        }
        if (node.isArray()) {
            return node.valueStream().map(Canonical::sorted).toList();
        }
        if (node.isNumber()) {
            return node.decimalValue().stripTrailingZeros();
        }
        return node;
    }
}
