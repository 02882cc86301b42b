package io.portcullis.engine.cache;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * A map that forgets its least recently used entry past a size: compiled modules and policies are kept for
 * reuse, but a server that sees templates edited for months must not keep every version ever compiled.
 * Thread-safe; {@link #computeIfAbsent} runs the computation outside the lock, so two threads may compute the
 * same value once each (both results are equal; the last one stays).
 */
public final class LruCache<K, V> {
    private final Map<K, V> entries;

    public LruCache(int maxEntries) {
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > maxEntries;
            }
        };
    }

    public synchronized V get(K key) {
        return entries.get(key);
    }

    public synchronized void put(K key, V value) {
        entries.put(key, value);
    }

    public V computeIfAbsent(K key, Function<K, V> compute) {
        V value = get(key);
        if (value == null) {
            value = compute.apply(key);
            put(key, value);
        }
        return value;
    }

    public synchronized int size() {
        return entries.size();
    }
}
