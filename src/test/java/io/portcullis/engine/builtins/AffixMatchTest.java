package io.portcullis.engine.builtins;

import java.util.List;
import org.junit.jupiter.api.Test;

/** strings.any_prefix_match and strings.any_suffix_match against OPA. */
class AffixMatchTest {
    /** Search and base operands: strings, arrays and sets of strings, and wrongly typed ones. */
    static final List<String> OPERANDS = List.of(
            "\"\"", "\"abc\"", "\"abcdef\"", "\"def\"", "\"xyz\"", "\"日本語\"", "\"日本\"", "\"本語\"", "\"😀a\"", "\"a😀\"",
            "[]", "set()", "[\"abc\"]", "[\"xyz\", \"abcdef\"]", "{\"def\", \"q\"}", "[\"\"]", "{\"ab\", \"ef\", \"zz\"}",
            "[\"docker.io/\", \"gcr.io/\"]", "[\"docker.io/nginx\", \"quay.io/x\"]", "[\"a\", 1]", "{\"a\", 1}", "[1]",
            "{true, \"a\"}", "1", "null", "true", "{\"a\": \"b\"}", "[[\"a\"]]");

    @Test
    void anyPrefixMatchAgreesWithOpa() {
        table("strings.any_prefix_match").assertAgrees();
    }

    @Test
    void anySuffixMatchAgreesWithOpa() {
        table("strings.any_suffix_match").assertAgrees();
    }

    private static OracleComparison table(String name) {
        OracleComparison table = new OracleComparison(HostBuiltins.standard().find(name).orElseThrow());
        for (String search : OPERANDS) {
            for (String base : OPERANDS) {
                table.call(search, base);
            }
        }
        return table;
    }
}
