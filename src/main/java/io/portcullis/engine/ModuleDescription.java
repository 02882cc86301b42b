package io.portcullis.engine;

import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * What a checked OPA wasm module exports that evaluation needs (its initial memory, entrypoint ids and the ids of
 * the builtins it leaves to the host). Finding it out means parsing, validating and probing the module in the
 * interpreter, about as long as the module is big; kept beside the wasm in the engine cache, it lets a restart
 * skip all three for every template and group.
 */
record ModuleDescription(int initialPages, Map<String, Integer> entrypoints, Map<String, Integer> builtins) {
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    ModuleDescription {
        entrypoints = Map.copyOf(entrypoints);
        builtins = Map.copyOf(builtins);
    }

    byte[] toJson() {
        ObjectNode node = JSON.createObjectNode();
        node.put("initialPages", initialPages);
        entrypoints.forEach(node.putObject("entrypoints")::put);
        builtins.forEach(node.putObject("builtins")::put);
        return JSON.writeValueAsBytes(node);
    }

    /** The description written by {@link #toJson}, or null for anything else (a cache entry of another format). */
    static ModuleDescription fromJson(byte[] json) {
        try {
            JsonNode node = JSON.readTree(json);
            if (!node.path("initialPages").isInt() || !node.path("entrypoints").isObject()
                    || !node.path("builtins").isObject()) {
                return null;
            }
            return new ModuleDescription(node.path("initialPages").asInt(), ids(node.path("entrypoints")),
                    ids(node.path("builtins")));
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static Map<String, Integer> ids(JsonNode map) {
        Map<String, Integer> ids = new TreeMap<>();
        map.properties().forEach(e -> ids.put(e.getKey(), e.getValue().asInt()));
        return ids;
    }
}
