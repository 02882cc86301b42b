package io.portcullis.engine;

import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamWriteConstraints;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * The JSON mapper of the engine: inputs, data documents and OPA's results. Without Jackson's default nesting limit
 * of 500: the caller bounded the documents it hands in (the webhook at 1,000 levels), and a result may carry a deep
 * part of its input back out.
 */
final class EngineJson {
    static final JsonMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(Integer.MAX_VALUE).build())
                    .streamWriteConstraints(StreamWriteConstraints.builder().maxNestingDepth(Integer.MAX_VALUE).build())
                    .build())
            .build();

    private EngineJson() {
    }
}
