package io.portcullis.mutation;

import io.portcullis.json.JsonFields;
import io.fabric8.zjsonpatch.DiffFlags;
import io.fabric8.zjsonpatch.JsonDiff;
import java.util.EnumSet;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * RFC 6902 patches between two versions of an object, as the admission response carries them.
 *
 * <p>fabric8's zjsonpatch (shipped with kubernetes-client 8) works on Jackson 3 trees, so it is used rather than a
 * diff of our own. Only add, remove and replace are emitted: move and copy are valid JSON Patch, but they point
 * into parts of the object the mutation never touched, which makes patches harder to review and is not what
 * Gatekeeper or SPO send.
 */
public final class JsonPatches {
    private static final EnumSet<DiffFlags> FLAGS = EnumSet.of(
            DiffFlags.OMIT_MOVE_OPERATION, DiffFlags.OMIT_COPY_OPERATION, DiffFlags.OMIT_VALUE_ON_REMOVE);

    private JsonPatches() {
    }

    /** The patch that turns {@code original} into {@code mutated}; empty when they are equal. */
    public static ArrayNode diff(JsonNode original, JsonNode mutated) {
        if (JsonFields.deepEquals(original, mutated)) {
            return JsonNodeFactory.instance.arrayNode();
        }
        JsonNode patch = JsonDiff.asJson(original, mutated, FLAGS);
        return (ArrayNode) patch;
    }
}
