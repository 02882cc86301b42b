package io.portcullis.kube;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What cannot be loaded from the cluster right now, by object: shown in the policy snapshot's problems (and so in
 * logs and status). Every controller writes to it from its own threads.
 */
final class Problems {
    private final Map<String, String> byObject = new TreeMap<>();
    private long version;

    /** Records the problem of the object, or clears it when {@code problem} is null. */
    synchronized void set(String object, String problem) {
        String before = problem == null ? byObject.remove(object) : byObject.put(object, problem);
        if (!java.util.Objects.equals(before, problem)) {
            version++;
        }
    }

    /** Clears every problem whose object starts with the prefix. */
    synchronized void clear(String prefix) {
        if (byObject.keySet().removeIf(k -> k.startsWith(prefix))) {
            version++;
        }
    }

    synchronized long version() {
        return version;
    }

    synchronized List<String> list() {
        return byObject.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue()).toList();
    }
}
