package io.portcullis.constraint.cel;

import java.util.Collection;
import java.util.Map;

/**
 * The runtime cost of an evaluation, in the spirit of cel-go's cost tracker that the API server limits
 * ([K8S] apiserver/pkg/cel/library/cost.go): every evaluated node costs 1, and a node producing a string, list or
 * map costs a tenth of its size more (cel-go's traversal factor), so work proportional to the data is charged.
 * dev.cel has no cost tracker of its own; this one is fed by its evaluation listener. It is an approximation:
 * the limit bounds an evaluation's work as the API server's does, the exact figures differ.
 */
final class CostModel {
    private CostModel() {
    }

    static long cost(Object value) {
        if (value instanceof String s) {
            return 1 + s.length() / 10;
        }
        if (value instanceof Collection<?> c) {
            return 1 + c.size() / 10;
        }
        if (value instanceof Map<?, ?> m) {
            return 1 + m.size() / 10;
        }
        return 1;
    }
}
