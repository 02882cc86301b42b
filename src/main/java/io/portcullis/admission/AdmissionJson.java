package io.portcullis.admission;

import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.StreamWriteConstraints;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.NumericNode;

/**
 * The JsonMappers for admission traffic. {@link #mapper} reads reviews with {@link AdmissionLimits} enforced by
 * the parser itself (Jackson checks depth and lengths while streaming, so no recursion or buffering happens past a
 * limit); {@link #treeMapper} writes the trees it accepted back out.
 *
 * <p>Jackson's default mapper stops at depth 500 (reading and writing), half the admission limit: code that
 * serialises an accepted request tree must use one of these, or it fails on a review the reader let through.
 */
public final class AdmissionJson {

    /** Levels a consumer may add around an accepted tree when writing it back out. */
    static final int WRITE_DEPTH_HEADROOM = 16;

    private static final JsonMapper TREES = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(Integer.MAX_VALUE).build())
                    .streamWriteConstraints(StreamWriteConstraints.builder().maxNestingDepth(Integer.MAX_VALUE).build())
                    .build())
            .build();

    private AdmissionJson() {
    }

    /**
     * Reads (and writes) AdmissionReviews within the limits. Beyond Jackson's defaults it refuses what the API
     * server never sends: a key twice in one object (which value a policy sees would depend on the parser) and a
     * number beyond the range of a 64-bit float (Jackson would make it {@code Infinity}, which JSON cannot
     * carry on to the policies).
     */
    public static JsonMapper mapper(AdmissionLimits limits) {
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(limits.maxNestingDepth())
                        .maxStringLength(limits.maxStringLength())
                        .maxDocumentLength(limits.maxRequestBytes())
                        .build())
                .streamWriteConstraints(StreamWriteConstraints.builder()
                        .maxNestingDepth(limits.maxNestingDepth() + WRITE_DEPTH_HEADROOM)
                        .build())
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build();
        return JsonMapper.builder(factory)
                .nodeFactory(FiniteNumbers.NODES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .build();
    }

    /**
     * For trees already in memory, such as an accepted review re-serialised as a policy's input, and what the
     * policy answers about it: no nesting limit of its own, because whoever parsed the tree bounded it already.
     * Thread-safe and shared.
     */
    public static JsonMapper treeMapper() {
        return TREES;
    }

    /** Thrown while reading a number that overflows a double, so the reader can say so instead of using Infinity. */
    static final class NumberOutOfRangeException extends RuntimeException {
        NumberOutOfRangeException() {
            super("a number is beyond the range of a 64-bit float (about ±1.8e308)", null, false, false);
        }
    }

    /** Builds number nodes as Jackson does, but refuses the infinities that an overflowing literal turns into. */
    private static final class FiniteNumbers extends JsonNodeFactory {
        static final FiniteNumbers NODES = new FiniteNumbers();

        @Override
        public NumericNode numberNode(double value) {
            if (!Double.isFinite(value)) {
                throw new NumberOutOfRangeException();
            }
            return super.numberNode(value);
        }

        @Override
        public NumericNode numberNode(float value) {
            if (!Float.isFinite(value)) {
                throw new NumberOutOfRangeException();
            }
            return super.numberNode(value);
        }
    }
}
