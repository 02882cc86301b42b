package io.portcullis.engine.cache;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LruCacheTest {
    @Test
    void forgetsTheLeastRecentlyUsedEntryPastItsSize() {
        LruCache<String, Integer> cache = new LruCache<>(2);
        cache.put("a", 1);
        cache.put("b", 2);
        assertThat(cache.get("a")).isEqualTo(1); // a is now more recent than b
        cache.put("c", 3);
        assertThat(cache.get("b")).isNull();
        assertThat(cache.get("a")).isEqualTo(1);
        assertThat(cache.get("c")).isEqualTo(3);
        assertThat(cache.size()).isEqualTo(2);
    }

    @Test
    void computesOnlyWhatIsMissing() {
        LruCache<String, Integer> cache = new LruCache<>(4);
        assertThat(cache.computeIfAbsent("x", k -> 1)).isEqualTo(1);
        assertThat(cache.computeIfAbsent("x", k -> 2)).isEqualTo(1);
    }
}
