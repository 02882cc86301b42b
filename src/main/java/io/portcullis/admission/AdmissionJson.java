package io.portcullis.admission;

import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamWriteConstraints;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The JsonMapper for admission traffic, with {@link AdmissionLimits} enforced by the parser itself (Jackson
 * checks depth and lengths while streaming, so no recursion or buffering happens past a limit).
 *
 * <p>Writing allows a few more levels than reading: code that wraps a review (Gatekeeper's Rego input puts the
 * request under {@code input.review}) must be able to serialise every tree we accepted. Jackson's default
 * mapper stops writing at depth 500, so code that serialises request trees should use this mapper.
 */
public final class AdmissionJson {

    /** Levels a consumer may add around an accepted tree when writing it back out. */
    static final int WRITE_DEPTH_HEADROOM = 16;

    private AdmissionJson() {
    }

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
}
