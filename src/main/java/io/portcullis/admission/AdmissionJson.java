package io.portcullis.admission;

import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamWriteConstraints;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

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

    /** Reads (and writes) AdmissionReviews within the limits. */
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
                .build();
        return JsonMapper.builder(factory)
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
}
