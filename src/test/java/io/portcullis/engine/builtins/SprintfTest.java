package io.portcullis.engine.builtins;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** sprintf against OPA: every verb and flag with every kind of Rego value, and Go's error notation. */
class SprintfTest {
    private static final HostBuiltin SPRINTF = HostBuiltins.standard().find("sprintf").orElseThrow();

    /** Rego literals of every kind sprintf turns into a different Go value. */
    static final List<String> VALUES = List.of(
            // strings
            "\"hi\"", "\"\"", "\"héllo wörld\"", "\"tab\\there\"", "\"quote\\\"d\"", "\"日本語\"", "\"\\u0001ctl\\u007f\"",
            "\"emoji 😀\"", "\"back`tick\"", "\"a\\\\b\"", "\"\\u00a0nbsp\"", "\"\\u200bzw\"", "\"\\ufeffbom\"",
            "\"\\u00ad\\u0085\"", "\"line\\nbreak\"", "\"\\u2028sep\"", "\"<&>\"",
            // integers, big integers
            "0", "1", "-1", "42", "-42", "255", "65", "9223372036854775807", "-9223372036854775808",
            "9223372036854775808", "-9223372036854775809", "10000000000", "123456789012345678901234567890",
            "-123456789012345678901234567890", "1114111", "1114112", "55296", "160", "-0",
            // floats, and numbers out of float64's range
            "1.0", "1.5", "-1.5", "0.1", "2.50", "1e3", "1E+3", "1e-7", "123456789.0", "1e21", "1e20", "0.000012345",
            "3.14159265358979", "1e400", "-1e400", "1e-400", "5e-324", "1.7976931348623157e308", "0.0", "-0.0",
            "100.0", "0.5", "2.5", "1.005", "1e6", "999999.5", "0.125", "4.35", "1e-5", "123456.7",
            // everything else prints as its Rego text
            "true", "false", "null", "[]", "[1, \"a\"]", "{}", "{\"a\": 1}", "{\"b\": [1, {\"c\": null}], \"a\": \"x\"}",
            "set()", "{1, 2}", "{\"b\", \"a\"}", "{1: \"a\", \"b\": 2}", "[{3, 1, 2}]", "{[1]: {\"z\": set()}}",
            "[\"tab\\t\", \"é\\u0001\"]", "[1.50, 1e3, -0]", "{null, false, 1, \"s\", [], {}, set()}",
            "{\"b\": 1, \"a\": 2, 1: 3, null: 4, [1]: 5, {1}: 6, {\"z\": 1}: 7, false: 8, 1.5: 9}");

    static final List<String> FORMATS = List.of(
            "%v", "%+v", "%#v", "%s", "%d", "%5d", "%-5d|", "%05d", "%+d", "% d", "%x", "%X", "%#x", "%o", "%#o",
            "%O", "%b", "%#b", "%c", "%q", "%+q", "%#q", "%U", "%#U", "%e", "%E", "%.2e", "%f", "%.2f", "%8.3f",
            "%-8.3f|", "%08.3f", "%+.1f", "% .1f", "%F", "%g", "%G", "%.3g", "%#g", "%#.3g", "%#v", "%t", "%T", "%p",
            "%w", "%z", "%10s|", "%-10s|", "%.2s", "%010s", "% x", "%# x", "%.1x", "%6.2v", "%#8x", "%.0d", "%5.0d",
            "%.3d", "%+.3d", "%#X", "%10.4v", "%-#10x|", "%#e", "%#.0f", "%#.0e", "%x", "%#X", "%.3x", "%+x", "%08.2e",
            "%+08d", "%-08d|", "%#08x", "%#.4o", "%.20f", "%.17g", "%.0f", "%.1f", "%.2f", "%.10e", "%5.1q", "%-6c|",
            "%+U", "%#+q", "%!", "%é", "%😀", "%#w", "%+w", "%5t");

    @Test
    void everyVerbAndFlagWithEveryKindOfValue() {
        OracleComparison table = new OracleComparison(SPRINTF);
        for (String format : FORMATS.stream().distinct().toList()) {
            for (String value : VALUES) {
                if (format.equals("%p") && isBigInteger(value)) {
                    continue; // Go prints the *big.Int's memory address
                }
                table.call(quote(format), "[" + value + "]");
            }
        }
        assertThat(table.assertAgrees()).isGreaterThan(5000);
    }

    @Test
    void argumentCountWidthPrecisionAndIndexes() {
        OracleComparison table = new OracleComparison(SPRINTF);
        String[][] calls = {
            // missing and extra arguments
            {"%v %v", "[\"a\"]"}, {"%d", "[]"}, {"%v", "[\"a\", 1, 1.5, 10000000000000000000000, true, {1}, 1e400]"},
            {"", "[1]"}, {"no verbs", "[\"x\", 2]"}, {"%v", "[]"}, {"%[2]v", "[1]"},
            // a format that ends too soon
            {"%", "[1]"}, {"abc%", "[]"}, {"%-", "[1]"}, {"%5", "[1]"}, {"%.", "[1]"}, {"%5.2", "[1]"}, {"%[1]", "[1]"},
            {"%#", "[]"},
            // percent
            {"%%", "[]"}, {"%5%", "[]"}, {"%%%v", "[1]"}, {"100%% %s", "[\"sure\"]"}, {"%-5%|", "[1]"},
            // width and precision from arguments
            {"%*d", "[5, 42]"}, {"%-*d|", "[5, 42]"}, {"%*d|", "[-5, 42]"}, {"%.*f", "[2, 3.14159]"}, {"%.*f", "[-1, 3.14]"},
            {"%*d", "[\"x\", 42]"}, {"%*d", "[1.5, 42]"}, {"%*d", "[10000000, 1]"}, {"%*.*f", "[8, 2, 3.14159]"},
            {"%*d", "[100000000000000000000, 1]"}, {"%*d", "[5]"}, {"%.*d", "[3]"}, {"%*", "[3]"}, {"%0*d", "[5, -42]"},
            {"%.*s", "[2, \"hello\"]"}, {"%*s|", "[1000000, \"\"]"}, {"%.*d", "[1000001, 1]"},
            // huge literal widths
            {"%1000001d", "[1]"}, {"%99999999999d", "[1]"}, {"%.99999999999d", "[1]"},
            // explicit argument indexes
            {"%[2]v %[1]v", "[\"a\", \"b\"]"}, {"%[3]v", "[1, 2]"}, {"%[0]v", "[1]"}, {"%[x]v", "[1]"},
            {"%[2]*[1]d", "[12, 5]"}, {"%[1]d %v", "[1, 2]"}, {"%[2]d %[1]d %d", "[1, 2]"}, {"%[]d", "[1]"},
            {"%[1", "[1]"}, {"%[5]d", "[1]"}, {"%3[1]d", "[7]"}, {"%[1]3d", "[7]"}, {"%[1].2f", "[7.123]"},
            {"%.[1]2f", "[7.123]"}, {"%[1]*.[2]*[3]f", "[8, 2, 3.14159]"}, {"%[2]v", "[1, 2, 3]"}, {"%[1]v %[1]v", "[\"x\"]"},
            {"%[-1]d", "[1]"}, {"%[99999999999]d", "[1]"},
            // text around verbs, several verbs
            {"héllo %v wörld", "[1]"}, {"%s is %d years and %.1f%% done", "[\"bob\", 42, 99.95]"},
            {"line1\n%v\tend", "[[1]]"}, {"%v%v%v", "[1, \"2\", [3]]"}, {"%d-%d", "[1, 2, 3]"},
            {"%v", "[[{\"k\": \"v\"}, {\"x\"}]]"}, {"%s", "[{\"owner\", \"team\"}]"},
            {"container <%v> has no resource limits", "[\"nginx\"]"},
            {"you must provide labels: %v", "[{\"gatekeeper\", \"owner\"}]"},
            {"%q is not allowed, allowed: %v", "[\"docker.io/nginx\", [\"gcr.io/\", \"quay.io/\"]]"},
        };
        for (String[] call : calls) {
            table.call(quote(call[0]), call[1]);
        }
        table.assertAgrees();
    }

    /** Float digits: shortest form, rounding half to even at every precision, exponents, subnormals. */
    @Test
    void floatsFormatLikeGo() {
        java.util.Random random = new java.util.Random(42);
        List<String> floats = new java.util.ArrayList<>();
        for (int i = 0; i < 150; i++) {
            double d = Double.longBitsToDouble(random.nextLong());
            if (Double.isFinite(d)) {
                floats.add(Double.toString(d).replace("E", "e"));
            }
            floats.add(String.valueOf(random.nextInt(2_000_000) / 1000.0 - 1000));
            floats.add(random.nextInt(100) + "." + random.nextInt(100) + "5");
        }
        floats.addAll(List.of("4.9e-324", "2.2250738585072014e-308", "2.225073858507201e-308", "9007199254740993.0",
                "0.3", "2.675", "1.45", "0.045", "1e23", "8.41e21", "5e-10", "123456789.123456789", "0.1e1", "7e22"));
        OracleComparison table = new OracleComparison(SPRINTF);
        for (String f : floats) {
            table.call("\"%v|%e|%.3e|%f|%.1f|%.0f|%g|%.4g|%G|%x|%.3x|%b|%12.4E|%#g|%.15g|%.17g|%.30f\"",
                    "[" + (f + ", ").repeat(16) + f + "]");
        }
        table.assertAgrees();
    }

    @Test
    void operandsOfTheWrongType() {
        new OracleComparison(SPRINTF)
                .call("1", "[]").call("null", "[1]").call("[\"%v\"]", "[1]")
                .call("\"%v\"", "{1}").call("\"%v\"", "\"x\"").call("\"%v\"", "{\"a\": 1}").call("\"%v\"", "null")
                .call("\"%v\"", "set()").call("\"%v\"", "1")
                .assertAgrees();
    }

    @Test
    void anIntegerWithPercentDIsItsDecimalText() throws BuiltinException {
        JsonNode result = SPRINTF.call(List.of(RegoValues.parse("\"%d\""), RegoValues.parse("[10000000000]")));
        assertThat(result.stringValue()).isEqualTo("10000000000");
    }

    private static boolean isBigInteger(String literal) {
        return literal.matches("-?\\d+") && Operands.goInt64(literal) == null;
    }

    /** A Rego string literal for a format. */
    static String quote(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                default -> out.append(c);
            }
        }
        return out.append('"').toString();
    }
}
