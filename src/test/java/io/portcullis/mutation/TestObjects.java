package io.portcullis.mutation;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.zjsonpatch.JsonPatch;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Test helpers: objects from YAML text, and the patch checks every mutation test makes. */
final class TestObjects {
    private TestObjects() {
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
     * The patch, applied by zjsonpatch (not our code) to the original, gives the mutated object; and mutating the
     * mutated object again changes nothing.
     */
    static void assertPatchAndIdempotence(AdmissionMutator mutator, MutationRequest request, MutationConfig config,
                                          MutationResult result) throws MutationException {
        JsonNode patched = JsonPatch.apply(result.patch(), request.object());
        assertThat(JsonValues.deepEquals(patched, result.object()))
                .as("patch %s applied to the original gives the mutated object", result.patch())
                .isTrue();
        MutationResult again = mutator.mutate(
                new MutationRequest(request.operation(), request.namespace(), request.namespaceObject(), patched), config);
        assertThat(again.patch()).as("second mutation of %s", patched).isEmpty();
    }
}
