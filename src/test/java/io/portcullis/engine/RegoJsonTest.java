package io.portcullis.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portcullis.engine.RegoJson.Numbers;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * How Go's values print in OPA. What OPA's Go evaluator makes of a review is checked end to end in
 * RegoNumbersTest; these are the writer's rules one by one, with the values Go's strconv gives.
 */
class RegoJsonTest {
    static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    static String text(JsonNode n, Numbers numbers) {
        return RegoJson.numberText(n, numbers);
    }

    @Test
    void inAReviewEveryNumberIsAFloat64() {
        assertThat(text(NODES.numberNode(999_999), Numbers.FLOAT64)).isEqualTo("999999");
        assertThat(text(NODES.numberNode(1_000_000), Numbers.FLOAT64)).isEqualTo("1e+06");
        assertThat(text(NODES.numberNode(-1_000_000L), Numbers.FLOAT64)).isEqualTo("-1e+06");
        assertThat(text(NODES.numberNode(123_456_789L), Numbers.FLOAT64)).isEqualTo("1.23456789e+08");
        assertThat(text(NODES.numberNode(9_007_199_254_740_993L), Numbers.FLOAT64)).isEqualTo("9.007199254740992e+15");
        assertThat(text(NODES.numberNode(1e9), Numbers.FLOAT64)).isEqualTo("1e+09");
        assertThat(text(NODES.numberNode(1.5), Numbers.FLOAT64)).isEqualTo("1.5");
        assertThat(text(NODES.numberNode(1e-7), Numbers.FLOAT64)).isEqualTo("1e-07");
        assertThat(text(NODES.numberNode(new BigInteger("100000000000000000000")), Numbers.FLOAT64)).isEqualTo("1e+20");
        assertThat(text(NODES.numberNode(new BigDecimal("2.50")), Numbers.FLOAT64)).isEqualTo("2.5");
    }

    @Test
    void inParametersAndDataIntegersThatFitAnInt64StayIntegers() {
        assertThat(text(NODES.numberNode(1_000_000), Numbers.INT64_OR_FLOAT64)).isEqualTo("1000000");
        assertThat(text(NODES.numberNode(Long.MAX_VALUE), Numbers.INT64_OR_FLOAT64)).isEqualTo("9223372036854775807");
        assertThat(text(NODES.numberNode(BigInteger.valueOf(42)), Numbers.INT64_OR_FLOAT64)).isEqualTo("42");
        assertThat(text(NODES.numberNode(BigInteger.ONE.shiftLeft(63)), Numbers.INT64_OR_FLOAT64))
                .isEqualTo("9.223372036854776e+18");
        assertThat(text(NODES.numberNode(1e9), Numbers.INT64_OR_FLOAT64)).isEqualTo("1e+09");
        assertThat(text(NODES.numberNode(3.0), Numbers.INT64_OR_FLOAT64)).isEqualTo("3");
    }

    @Test
    void writesTheDocumentWithThoseNumbers() {
        JsonNode doc = JsonMapper.builder().build().readTree("""
                {"a": [1, 1000000, 1.0E9, "1.0E9"], "s": "x\\"y", "t": true, "n": null, "o": {}}""");
        assertThat(new String(RegoJson.write(doc, Numbers.FLOAT64), StandardCharsets.UTF_8))
                .isEqualTo("{\"a\":[1,1e+06,1e+09,\"1.0E9\"],\"s\":\"x\\\"y\",\"t\":true,\"n\":null,\"o\":{}}");
        assertThat(new String(RegoJson.write(doc, Numbers.INT64_OR_FLOAT64), StandardCharsets.UTF_8))
                .startsWith("{\"a\":[1,1000000,1e+09,");
    }

    @Test
    void aNumberNoFloat64HoldsIsAnErrorNamingWhere() {
        ObjectNode doc = NODES.objectNode();
        doc.putObject("spec").putArray("limits").add(1).add(Double.POSITIVE_INFINITY);
        assertThatThrownBy(() -> RegoJson.write(doc, Numbers.FLOAT64))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("spec.limits[1]");
        ObjectNode odd = NODES.objectNode();
        odd.putObject("a.b").put("n", Double.NaN);
        assertThatThrownBy(() -> RegoJson.write(odd, Numbers.INT64_OR_FLOAT64))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[\"a.b\"].n");
    }
}
