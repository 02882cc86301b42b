package io.portcullis.engine;

import java.time.Duration;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Gatekeeper's {@code external_data} as the engine sees it: ask the Provider named in the call about some keys. The
 * engine decodes the Rego call, memoises it per evaluation and bounds it by the evaluation's deadline; talking to
 * providers (HTTPS, their CA bundles, the response cache) is left to an implementation outside the engine
 * ({@code io.portcullis.externaldata}).
 */
@FunctionalInterface
public interface ExternalData {
    /** Gatekeeper's status and message when no Provider of that name is loaded. */
    String UNKNOWN_PROVIDER = "key is not found in provider cache";

    /** No providers at all: every call answers as Gatekeeper does for a Provider it does not know. */
    ExternalData NONE = (provider, keys, timeLeft) -> failure(400, UNKNOWN_PROVIDER);

    /**
     * Gatekeeper's Rego response, {@code {"responses": [[key, value], ...], "errors": [[key, error], ...],
     * "status_code": n, "system_error": "..."}}. Never throws for a failing provider: failures are in the answer,
     * so the policy can turn them into violations.
     *
     * @param timeLeft what remains of the evaluation; the answer must come within it
     */
    JsonNode fetch(String provider, List<String> keys, Duration timeLeft);

    /** A failed call as Gatekeeper answers it (its HandleError): no responses or errors (null), a status, a message. */
    static ObjectNode failure(int statusCode, String systemError) {
        ObjectNode answer = JsonNodeFactory.instance.objectNode();
        answer.putNull("responses");
        answer.putNull("errors");
        answer.put("status_code", statusCode);
        answer.put("system_error", systemError);
        return answer;
    }
}
