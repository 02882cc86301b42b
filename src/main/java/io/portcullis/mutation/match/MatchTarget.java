package io.portcullis.mutation.match;

import tools.jackson.databind.JsonNode;

/**
 * What a {@link Match} is tested against: the object (its namespace already set to the request's namespace), its
 * Namespace object when it has one (null for cluster-scoped objects, or when the namespace could not be resolved),
 * and the source of the review ({@code Original} for real objects, {@code Generated} for expansion output).
 */
public record MatchTarget(JsonNode object, JsonNode namespace, String source) {
    public static final String ORIGINAL = "Original";
    public static final String GENERATED = "Generated";

    public static MatchTarget original(JsonNode object, JsonNode namespace) {
        return new MatchTarget(object, namespace, ORIGINAL);
    }
}
