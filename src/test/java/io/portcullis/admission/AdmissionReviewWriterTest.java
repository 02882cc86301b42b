package io.portcullis.admission;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;

class AdmissionReviewWriterTest {

    private final JsonMapper json = JsonMapper.builder().build();
    private final AdmissionReviewReader reader = new AdmissionReviewReader(AdmissionLimits.DEFAULT);
    private final AdmissionReviewWriter writer = new AdmissionReviewWriter(AdmissionLimits.DEFAULT);

    private JsonNode answer(String apiVersion, AdmissionResponse response) {
        AdmissionReview review = reader.read(AdmissionReviewReaderTest.review(apiVersion,
                AdmissionReviewReaderTest.POD_UPDATE).getBytes(StandardCharsets.UTF_8));
        return json.readTree(writer.write(review, response));
    }

    @Test
    void echoesUidApiVersionAndKind() {
        for (String version : List.of("admission.k8s.io/v1", "admission.k8s.io/v1beta1")) {
            JsonNode out = answer(version, AdmissionResponse.allow());
            assertThat(out.path("apiVersion").stringValue()).isEqualTo(version);
            assertThat(out.path("kind").stringValue()).isEqualTo("AdmissionReview");
            assertThat(out.at("/response/uid").stringValue()).isEqualTo("705ab4f5-6393-11e8-b7cc-42010a800002");
            assertThat(out.at("/response/allowed").booleanValue()).isTrue();
            assertThat(out.at("/response/status/code").intValue()).isEqualTo(200);
            assertThat(out.at("/response").has("patch")).isFalse();
            assertThat(out.at("/response").has("warnings")).isFalse();
            assertThat(out.has("request")).isFalse();
        }
    }

    @Test
    void denialHasGatekeepersShape() {
        JsonNode out = answer("admission.k8s.io/v1",
                AdmissionResponse.deny("[c1] msg one\n[c2] msg two", List.of("[w] careful")));
        assertThat(out.at("/response/allowed").booleanValue()).isFalse();
        assertThat(out.at("/response/status/code").intValue()).isEqualTo(403);
        assertThat(out.at("/response/status/reason").stringValue()).isEqualTo("Forbidden");
        assertThat(out.at("/response/status/message").stringValue()).isEqualTo("[c1] msg one\n[c2] msg two");
        assertThat(out.at("/response/warnings/0").stringValue()).isEqualTo("[w] careful");
    }

    @Test
    void warningsOnlyAnswerCarriesCode299() {
        JsonNode out = answer("admission.k8s.io/v1", AdmissionResponse.allowWithWarnings(List.of("[w] hm")));
        assertThat(out.at("/response/allowed").booleanValue()).isTrue();
        assertThat(out.at("/response/status/code").intValue()).isEqualTo(299);
        assertThat(out.at("/response/warnings").size()).isEqualTo(1);
    }

    @Test
    void patchIsBase64JsonPatchWithItsType() {
        ArrayNode patch = json.createArrayNode();
        patch.addObject().put("op", "add").put("path", "/metadata/labels").putObject("value").put("team", "a");
        JsonNode out = answer("admission.k8s.io/v1beta1", AdmissionResponse.patch(patch, List.of()));

        assertThat(out.at("/response/patchType").stringValue()).isEqualTo("JSONPatch");
        byte[] decoded = Base64.getDecoder().decode(out.at("/response/patch").stringValue());
        assertThat(json.readTree(decoded)).isEqualTo(patch);
    }

    @Test
    void erroredIsARejectionWithItsCode() {
        JsonNode out = answer("admission.k8s.io/v1", AdmissionResponse.errored(500, "boom"));
        assertThat(out.at("/response/allowed").booleanValue()).isFalse();
        assertThat(out.at("/response/status/code").intValue()).isEqualTo(500);
        assertThat(out.at("/response/status/message").stringValue()).isEqualTo("boom");
        assertThat(out.at("/response/status").has("reason")).isFalse();
    }

    @Test
    void everyAcceptedTreeCanBeWrittenBackWrappedAsRegoInput() {
        int arrays = AdmissionLimits.DEFAULT.maxNestingDepth() - 3;
        String object = "{\"deep\":" + "[".repeat(arrays) + "]".repeat(arrays) + "}";
        AdmissionRequest request = reader.read(AdmissionReviewReaderTest.review("admission.k8s.io/v1",
                "{\"uid\":\"u\",\"operation\":\"CREATE\",\"object\":" + object + "}")
                .getBytes(StandardCharsets.UTF_8)).request();
        JsonMapper mapper = AdmissionJson.mapper(AdmissionLimits.DEFAULT);
        var input = mapper.createObjectNode();
        input.putObject("parameters");
        input.set("review", request.raw());

        byte[] written = mapper.writeValueAsBytes(input);
        assertThat(mapper.readTree(written).at("/review/object/deep").isArray()).isTrue();
    }
}
