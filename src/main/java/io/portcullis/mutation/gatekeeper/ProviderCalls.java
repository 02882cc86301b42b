package io.portcullis.mutation.gatekeeper;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * External data for mutation: one request per provider with all its keys, answered as the provider answered
 * (Gatekeeper's mutation sends without the response cache). Implemented by {@code io.portcullis.externaldata}.
 */
@FunctionalInterface
public interface ProviderCalls {

    /** No providers: every placeholder fails as one of an unknown provider. */
    ProviderCalls NONE = (provider, keys) -> Optional.empty();

    /** One key's answer: its value, or a non-empty error. */
    record Item(JsonNode value, String error) {
    }

    /**
     * The provider's answer, or a failure of the whole call.
     *
     * @param error the request failed, or the response had a system error or was not idempotent; null otherwise
     */
    record Answer(String error, Map<String, Item> items) {
    }

    /** Empty when no Provider of that name is loaded. */
    Optional<Answer> call(String provider, Set<String> keys);
}
