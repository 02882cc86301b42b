package io.portcullis.externaldata;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.databind.JsonNode;

/**
 * Gatekeeper's provider response cache ({@code --external-data-provider-response-cache-ttl}): what a provider
 * answered for each (provider, key), for the TTL. A key found here is not sent again. A zero TTL turns it off.
 * Expired entries are dropped as they are looked up and, at most once per TTL, all at once. As in Gatekeeper, a
 * changed or deleted Provider does not clear it; a deleted one's entries are no longer given out, since the
 * Provider is looked up first.
 */
public final class ResponseCache {
    /** One key's answer: its value, or its error (non-empty), and when it came. */
    public record Item(JsonNode value, String error, Instant received) {
    }

    private record Key(String provider, String key) {
    }

    private final Duration ttl;
    private final InstantSource clock;
    private final ConcurrentHashMap<Key, Item> items = new ConcurrentHashMap<>();
    private volatile Instant lastPurge;

    public ResponseCache(Duration ttl, InstantSource clock) {
        if (ttl.isNegative()) {
            throw new IllegalArgumentException("the external data response cache TTL must not be negative: " + ttl);
        }
        this.ttl = ttl;
        this.clock = clock;
        this.lastPurge = clock.instant();
    }

    public boolean enabled() {
        return !ttl.isZero();
    }

    public Optional<Item> get(String provider, String key) {
        if (!enabled()) {
            return Optional.empty();
        }
        Key k = new Key(provider, key);
        Item item = items.get(k);
        if (item == null) {
            return Optional.empty();
        }
        if (expired(item, clock.instant())) {
            items.remove(k, item);
            return Optional.empty();
        }
        return Optional.of(item);
    }

    public void put(String provider, String key, JsonNode value, String error) {
        if (!enabled()) {
            return;
        }
        Instant now = clock.instant();
        items.put(new Key(provider, key), new Item(value, error, now));
        if (now.isAfter(lastPurge.plus(ttl))) {
            lastPurge = now;
            items.values().removeIf(item -> expired(item, now));
        }
    }

    private boolean expired(Item item, Instant now) {
        return now.isAfter(item.received().plus(ttl));
    }
}
