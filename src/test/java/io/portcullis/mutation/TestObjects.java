package io.portcullis.mutation;

import io.portcullis.mutation.error.MutationException;
import io.portcullis.json.JsonFields;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.zjsonpatch.JsonPatch;
import jakarta.json.Json;
import jakarta.json.JsonReader;
import jakarta.json.JsonStructure;
import java.io.StringReader;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Test helpers: objects from YAML text, and the patch checks every mutation test makes. */
final class TestObjects {
    private TestObjects() {
    }

    /** RFC 6902 as JSON-P (jakarta.json, Parsson) implements it, on a serialized copy of the document. */
    static JsonNode applyWithJsonP(JsonNode patch, JsonNode document) {
        try (JsonReader patchReader = Json.createReader(new StringReader(patch.toString()));
             JsonReader documentReader = Json.createReader(new StringReader(document.toString()))) {
            JsonStructure result = Json.createPatch(patchReader.readArray()).apply(documentReader.readObject());
            return YamlDocuments.read(result.toString(), "json-p result").getFirst();
        }
    }

    static ObjectNode yaml(String text) {
        List<JsonNode> docs = YamlDocuments.read(text, "test");
        assertThat(docs).hasSize(1);
        return (ObjectNode) docs.getFirst();
    }

    static JsonNode json(String text) {
        return YamlDocuments.read(text, "test").getFirst();
    }

    static ObjectNode namespace(String name, String... labels) {
        StringBuilder text = new StringBuilder("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + name + "\n");
        if (labels.length > 0) {
            text.append("  labels:\n");
            for (int i = 0; i < labels.length; i += 2) {
                text.append("    \"").append(labels[i]).append("\": \"").append(labels[i + 1]).append("\"\n");
            }
        }
        return yaml(text.toString());
    }

    /**
     * The patch, applied to the original by two JSON Patch libraries (fabric8's zjsonpatch, which also computed it,
     * and Parsson's independent JSON-P implementation), gives the mutated object; and mutating the mutated object
     * again changes nothing.
     */
    static void assertPatchAndIdempotence(AdmissionMutator mutator, MutationRequest request, MutationConfig config,
                                          MutationResult result) throws MutationException {
        JsonNode patched = JsonPatch.apply(result.patch(), request.object());
        assertThat(JsonFields.deepEquals(patched, result.object()))
                .as("patch %s applied by zjsonpatch to the original gives the mutated object", result.patch())
                .isTrue();
        assertThat(JsonFields.deepEquals(applyWithJsonP(result.patch(), request.object()), result.object()))
                .as("patch %s applied by JSON-P to the original gives the mutated object", result.patch())
                .isTrue();
        MutationResult again = mutator.mutate(
                new MutationRequest(request.operation(), request.namespace(), request.namespaceObject(), patched), config);
        assertThat(again.patch()).as("second mutation of %s", patched).isEmpty();
    }
}
