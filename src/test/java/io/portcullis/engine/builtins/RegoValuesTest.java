package io.portcullis.engine.builtins;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.DoubleNode;
import tools.jackson.databind.node.JsonNodeFactory;

/** Decoding and encoding the Rego value text that opa_value_dump writes and opa_value_parse reads. */
class RegoValuesTest {
    /** Texts as opa_value_dump lays them out: ", " and ": " separators, sets in braces, set() when empty. */
    static final List<String> DUMPED = List.of(
            "null", "true", "false", "0", "-1", "42", "9223372036854775807", "-9223372036854775808",
            "9223372036854775808", "123456789012345678901234567890", "1.0", "2.50", "1e3", "1E+3", "-0", "-0.0",
            "1e400", "0.1", "\"\"", "\"a\\\"b\\\\c\\nd\\re\\tf\"", "\"\\u0001\\u001f\"", "\"é日本😀\"", "[]", "[1, \"a\", null]",
            "{}", "{\"a\": 1, \"b\": [true, false]}", "set()", "{1, 2, 3}", "{\"b\", \"a\"}", "[set(), {set()}]",
            "{1: \"a\", \"b\": 2}", "{[1, 2]: {3}, {\"k\": \"v\"}: set(), null: false, 1.5: 2}",
            "{\"nested\": {\"deeper\": [{1, [2, {\"x\": set()}]}]}}");

    @Test
    void dumpedTextRoundTrips() {
        for (String text : DUMPED) {
            assertThat(RegoValues.toRegoText(RegoValues.parse(text))).as(text).isEqualTo(text);
        }
    }

    @Test
    void setsAreSetsAndArraysAreArrays() {
        JsonNode v = RegoValues.parse("[{1, 2}, [1, 2], set(), {}]");
        assertThat(v.get(0)).isInstanceOf(RegoSetNode.class).hasSize(2);
        assertThat(v.get(1)).isNotInstanceOf(RegoSetNode.class);
        assertThat(v.get(2)).isInstanceOf(RegoSetNode.class).isEmpty();
        assertThat(v.get(3).isObject()).isTrue();
        assertThat(v.get(0)).isEqualTo(RegoValues.parse("{2, 1}")).isNotEqualTo(v.get(1));
    }

    @Test
    void numbersKeepPrecisionAndText() {
        assertThat(RegoValues.parse("42").isInt()).isTrue();
        assertThat(RegoValues.parse("10000000000").isLong()).isTrue();
        assertThat(RegoValues.parse("123456789012345678901234567890").bigIntegerValue())
                .isEqualTo(new BigInteger("123456789012345678901234567890"));
        JsonNode precise = RegoValues.parse("0.1000000000000000000000000001");
        assertThat(precise.decimalValue()).isEqualByComparingTo("0.1000000000000000000000000001");
        assertThat(((RegoNumberNode) RegoValues.parse("2.50")).text()).isEqualTo("2.50");
        assertThat(RegoValues.toRegoText(DoubleNode.valueOf(0.5))).isEqualTo("0.5");
        assertThat(RegoValues.toRegoText(DoubleNode.valueOf(1e21))).isEqualTo("1e+21");
    }

    @Test
    void nonStringKeysAreKept() {
        JsonNode v = RegoValues.parse("{1: \"a\", [2]: \"b\", \"c\": 3}");
        assertThat(v).isInstanceOf(RegoObjectNode.class);
        assertThat(RegoValues.entries(v)).extracting(e -> RegoValues.toRegoText(e.getKey()))
                .containsExactly("1", "[2]", "\"c\"");
        // As JSON, a non-string key is its text, as in OPA's JSON output.
        assertThat(v.get("1").stringValue()).isEqualTo("a");
    }

    @Test
    void canonicalTextSortsAndQuotesAsOpaPrints() {
        assertThat(RegoValues.toCanonicalText(RegoValues.parse("{\"b\": {3, 1, 2}, \"a\": \"t\\tx\\u0001\"}")))
                .isEqualTo("{\"a\": \"t\\tx\\x01\", \"b\": {1, 2, 3}}");
    }

    @Test
    void badTextIsAClearError() {
        for (String bad : List.of("", "{", "[1,]", "{1: }", "\"unterminated", "01", "1.", "tru", "set(1)", "[1] 2",
                "{\"a\": 1, 2}", "{1, \"a\": 2}", "\"\\x\"", "{1: \"a\", \"1\": \"b\"}")) {
            assertThatThrownBy(() -> RegoValues.parse(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void valuesThatAreNotRegoAreRejected() {
        assertThatThrownBy(() -> RegoValues.toRegoText(DoubleNode.valueOf(Double.NaN)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RegoValues.toRegoText(JsonNodeFactory.instance.binaryNode(new byte[1])))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RegoValues.toRegoText(null)).isInstanceOf(IllegalArgumentException.class);
    }

    /** OPA's own printing (sprintf %v of a value) is the reference for our canonical text and ordering. */
    @Test
    void canonicalTextAgreesWithOpa() {
        OracleComparison table = new OracleComparison(HostBuiltins.standard().find("sprintf").orElseThrow());
        for (String text : DUMPED) {
            table.call("\"%v\"", "[" + text + "]");
        }
        table.call("\"%v\"", "[{[1, 2], [1], [0, 5], {}, {\"a\": 1}, {\"a\": 0, \"b\": 0}, {\"b\": 0}, {1}, {0, 9}, set(), \"\", -1.5, 2, 1.5}]");
        table.call("\"%v\"", "[{\"\\uffff\", \"😀\", \"\\u00e9\", \"z\", \"Z\", \"\"}]");
        table.assertAgrees();
    }
}
