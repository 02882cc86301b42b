package io.portcullis.constraint.cel;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Set;
import java.util.function.Function;

/**
 * CEL's {@code variables}: a map whose entries are computed when an expression first reads them, as the API
 * server's composited variables are (an unused variable costs nothing and cannot fail the evaluation).
 */
final class LazyVariables extends AbstractMap<String, Object> {
    private final Set<String> names;
    private final Function<String, Object> value;

    LazyVariables(Set<String> names, Function<String, Object> value) {
        this.names = names;
        this.value = value;
    }

    @Override
    public Object get(Object key) {
        return key instanceof String name && names.contains(name) ? value.apply(name) : null;
    }

    @Override
    public boolean containsKey(Object key) {
        return names.contains(key);
    }

    @Override
    public int size() {
        return names.size();
    }

    @Override
    public Set<Entry<String, Object>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Entry<String, Object>> iterator() {
                Iterator<String> keys = names.iterator();
                return new Iterator<>() {
                    @Override
                    public boolean hasNext() {
                        return keys.hasNext();
                    }

                    @Override
                    public Entry<String, Object> next() {
                        String name = keys.next();
                        return new SimpleImmutableEntry<>(name, value.apply(name));
                    }
                };
            }

            @Override
            public int size() {
                return names.size();
            }
        };
    }
}
