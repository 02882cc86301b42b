package io.portcullis.externaldata;

import io.portcullis.engine.ExternalData;
import io.portcullis.mutation.gatekeeper.ProviderCalls;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Answers {@code external_data} as Gatekeeper's Rego driver does: keys with a fresh cached answer are not sent;
 * the rest go to the Provider in one request; the answer is mapped to
 * {@code {"responses": [[key, value]], "errors": [[key, error]], "status_code": n, "system_error": s}}. Failures
 * are answers, not errors: an unknown provider is 400 "key is not found in provider cache", a transport or
 * decoding failure 500 with its message. When every key came from the cache nothing is sent and status_code is 0,
 * as in Gatekeeper.
 *
 * <p>A request waits at most the Provider's timeout, and never past the evaluation's deadline less
 * {@link #RESERVE}, so the policy still has time to turn a slow provider into a violation instead of the whole
 * review missing its deadline.
 */
public final class ExternalDataClient implements ExternalData, ProviderCalls {
    private static final Logger log = LoggerFactory.getLogger(ExternalDataClient.class);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    static final Duration RESERVE = Duration.ofMillis(200);

    private final Providers providers;
    private final ResponseCache cache;

    public ExternalDataClient(Providers providers, ResponseCache cache) {
        this.providers = providers;
        this.cache = cache;
    }

    @Override
    public JsonNode fetch(String provider, List<String> keys, Duration timeLeft) {
        // The Provider first, as Gatekeeper does: once it is deleted, its cached answers are not given out.
        Optional<ProviderClient> client = providers.client(provider);
        if (client.isEmpty()) {
            return ExternalData.failure(400, UNKNOWN_PROVIDER);
        }
        List<ProviderResponse.Item> items = new ArrayList<>();
        List<String> toSend = new ArrayList<>();
        for (String key : keys) {
            Optional<ResponseCache.Item> cached = cache.get(provider, key);
            if (cached.isPresent()) {
                items.add(new ProviderResponse.Item(NODES.stringNode(key), cached.get().value(), cached.get().error()));
            } else {
                toSend.add(key);
            }
        }
        if (toSend.isEmpty()) {
            return regoResponse(0, items, "");
        }
        Duration wait = client.get().provider().timeout();
        Duration budget = timeLeft.minus(RESERVE);
        if (budget.compareTo(wait) < 0) {
            wait = budget;
        }
        if (wait.isNegative() || wait.isZero()) {
            return ExternalData.failure(500, "failed to send external data request: no time left before the deadline");
        }
        ProviderClient.Answer answer;
        try {
            answer = client.get().send(toSend, wait);
        } catch (ProviderClient.ProviderException e) {
            log.debug("external data provider {}: {}", provider, e.getMessage());
            return ExternalData.failure(500, e.getMessage());
        } catch (InterruptedException e) {
            // The evaluation is being stopped: let it see the flag at its next step.
            Thread.currentThread().interrupt();
            return ExternalData.failure(500, "failed to send external data request: the evaluation was stopped");
        }
        ProviderResponse response = answer.response();
        for (ProviderResponse.Item item : response.items()) {
            if (item.key() != null && item.key().isString()) {
                cache.put(provider, item.key().stringValue(), item.value(), item.error());
            }
        }
        items.addAll(response.items());
        return regoResponse(answer.statusCode(), items, response.systemError());
    }

    /**
     * For mutation, as Gatekeeper's mutation system sends: all the keys, without the response cache, waiting the
     * Provider's timeout (the webhook's deadline interrupts it sooner); a failed call, a system error or an answer
     * not marked idempotent fails the whole call, with Gatekeeper's messages.
     */
    @Override
    public Optional<ProviderCalls.Answer> call(String provider, Set<String> keys) {
        Optional<ProviderClient> client = providers.client(provider);
        if (client.isEmpty()) {
            return Optional.empty();
        }
        ProviderClient.Answer answer;
        try {
            answer = client.get().send(List.copyOf(keys), client.get().provider().timeout());
        } catch (ProviderClient.ProviderException e) {
            return Optional.of(new ProviderCalls.Answer("failed to send external data request to provider " + provider
                    + ": " + e.getMessage(), Map.of()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of(new ProviderCalls.Answer("failed to send external data request to provider " + provider
                    + ": the request was stopped", Map.of()));
        }
        ProviderResponse response = answer.response();
        String invalid = !response.systemError().trim().isEmpty() ? "non-empty system error: " + response.systemError().trim()
                : !response.idempotent() ? "non-idempotent response" : null;
        if (invalid != null) {
            return Optional.of(new ProviderCalls.Answer("failed to validate external data response from provider "
                    + provider + ": " + invalid, Map.of()));
        }
        Map<String, ProviderCalls.Item> items = new LinkedHashMap<>();
        for (ProviderResponse.Item item : response.items()) {
            if (item.key() != null && item.key().isString()) {
                items.put(item.key().stringValue(), new ProviderCalls.Item(item.value(), item.error()));
            }
        }
        return Optional.of(new ProviderCalls.Answer(null, items));
    }

    /** Gatekeeper's NewRegoResponse: items with an error go to errors, the others to responses. */
    static ObjectNode regoResponse(int statusCode, List<ProviderResponse.Item> items, String systemError) {
        ObjectNode out = NODES.objectNode();
        ArrayNode responses = out.putArray("responses");
        ArrayNode errors = out.putArray("errors");
        for (ProviderResponse.Item item : items) {
            JsonNode key = item.key() == null ? NODES.nullNode() : item.key();
            if (!item.error().isEmpty()) {
                errors.addArray().add(key).add(item.error());
            } else {
                responses.addArray().add(key).add(item.value() == null ? NODES.nullNode() : item.value());
            }
        }
        out.put("status_code", statusCode);
        out.put("system_error", systemError);
        return out;
    }
}
