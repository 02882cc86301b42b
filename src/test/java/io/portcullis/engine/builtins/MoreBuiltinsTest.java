package io.portcullis.engine.builtins;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The other host builtins against OPA: strings, units, object.subset, numbers.range_step, semver, time, trace. */
class MoreBuiltinsTest {
    private static final HostBuiltins BUILTINS = HostBuiltins.standard();

    private static OracleComparison table(String name) {
        return new OracleComparison(BUILTINS.find(name).orElseThrow());
    }

    private static final List<String> STRINGS = List.of(
            "\"\"", "\"a\"", "\"aaa\"", "\"abcabc\"", "\"ab\"", "\"日本日本語\"", "\"本\"", "\"😀x😀\"", "\"😀\"", "\"x\"",
            "\"*?[a]{b}\\\\c\"", "\"a,b-c!d\"");
    private static final List<String> NOT_STRINGS = List.of("1", "null", "[\"a\"]", "{\"a\"}", "true");

    /**
     * replace and strings.replace_n as our compiler routes them to the host when an old string may be empty (OPA's
     * wasm runtime loops on replace then): Go's strings.Replacer, byte by byte, multi-byte characters split.
     */
    @Test
    void replaceWithEmptyOldStrings() {
        OracleComparison replace = new OracleComparison(BUILTINS.find("portcullis.replace").orElseThrow(), "replace");
        List<String> replacements = List.of("\"\"", "\"x\"", "\"é\"", "\"😀\"");
        for (String s : STRINGS) {
            for (String old : List.of("\"\"", "\"a\"", "\"aa\"", "\"本\"", "\"😀\"")) {
                for (String replacement : replacements) {
                    replace.call(s, old, replacement);
                }
            }
        }
        replace.call("\"1K\"", "\"\"", "\"\"").call("1", "\"\"", "\"\"").call("\"a\"", "null", "\"\"");
        replace.assertAgrees();

        OracleComparison replaceN = new OracleComparison(BUILTINS.find("portcullis.replace_n").orElseThrow(), "strings.replace_n");
        for (String s : STRINGS) {
            for (String patterns : List.of("{\"\": \"x\"}", "{\"\": \"\"}", "{\"\": \"x\", \"a\": \"y\"}",
                    "{\"a\": \"y\", \"aa\": \"z\", \"\": \"-\"}", "{\"本\": \"\", \"\": \"é\"}", "{\"b\": \"B\", \"ab\": \"X\"}",
                    "{}", "{\"a\": 1}")) {
                replaceN.call(patterns, s);
            }
        }
        replaceN.call("[]", "\"a\"").call("{\"a\": \"b\"}", "1");
        replaceN.assertAgrees();
    }

    @Test
    void stringsCount() {
        OracleComparison t = table("strings.count");
        for (String a : STRINGS) {
            for (String b : STRINGS) {
                t.call(a, b);
            }
        }
        NOT_STRINGS.forEach(x -> t.call(x, "\"a\"").call("\"a\"", x));
        t.assertAgrees();
    }

    @Test
    void indexOfN() {
        OracleComparison t = table("indexof_n");
        for (String a : STRINGS) {
            for (String b : STRINGS) {
                t.call(a, b);
            }
        }
        NOT_STRINGS.forEach(x -> t.call(x, "\"a\"").call("\"a\"", x));
        t.assertAgrees();
    }

    @Test
    void globQuoteMeta() {
        OracleComparison t = table("glob.quote_meta");
        STRINGS.forEach(t::call);
        t.call("\"*.github.com\"").call("\"[!a-z]\"").call("\"{a,b}\"").call("\"\\\\\"");
        NOT_STRINGS.forEach(t::call);
        t.assertAgrees();
    }

    static final List<String> QUANTITIES = List.of(
            "", "0", "1", "-1", "+1", "10", "1.5", ".5", "5.", "-.5", "1e3", "1E3", "1e+3", "1e-3", "1.5e2", "2.5e-1",
            "1e1234567", "1e123456x", "1m", "1M", "1k", "1K", "1Ki", "1ki", "1KI", "1kib", "1KiB", "1mi", "1Mi", "1MI",
            "1g", "1G", "1Gi", "1gi", "1t", "1T", "1Ti", "1p", "1P", "1Pi", "1e", "1E", "1Ei", "1ei", "1.5Gi", "0.5M",
            "100m", "1000m", "1500m", "0.1m", "-250m", "3m", "1x", "x", "Mi", "1 Mi", "\\\"1Mi\\\"", "1-2", "1..2",
            "1.2.3", "--1", "1e", "1e+", "123456789012345678901234567890", "123456789012345678901234567890Ki",
            "0.000000000001", "-0.000000000001m", "1kb", "1KB", "1mb", "1MB", "1gb", "1GB", "1tb", "1pb", "1eb", "1eib",
            "1b", "1é", "１", "12345678901234567890123", "9007199254740993", "9007199254740993Ki", "0.1", "0.3Gi",
            "1e20Ei", "1.1e-5k", "7.5e-9", "1e-30", "99999999999999999999.9999999999999999999");

    @Test
    void unitsParse() {
        OracleComparison t = table("units.parse");
        QUANTITIES.forEach(q -> t.call("\"" + q + "\""));
        NOT_STRINGS.forEach(t::call);
        t.assertAgrees();
    }

    @Test
    void unitsParseBytes() {
        OracleComparison t = table("units.parse_bytes");
        QUANTITIES.forEach(q -> t.call("\"" + q + "\""));
        NOT_STRINGS.forEach(t::call);
        t.assertAgrees();
    }

    @Test
    void objectSubset() {
        List<String> values = List.of(
                "{}", "{\"a\": 1}", "{\"a\": 1.0}", "{\"a\": 1, \"b\": 2}", "{\"a\": {\"x\": 1, \"y\": 2}}", "{\"a\": {\"x\": 1}}",
                "{\"a\": [1, 2, 3]}", "{\"a\": [2, 3]}", "{\"a\": {1, 2}}", "{\"a\": {2}}", "{\"a\": [1, 3]}", "{1: \"x\"}",
                "[]", "[1]", "[1, 2, 3]", "[2, 3]", "[1, 3]", "[3, 2]", "[1, 2, 1, 2, 3]", "[1, 2, 3, 1]", "[1.0, 2]",
                "set()", "{1}", "{1, 2, 3}", "{2, 4}", "{1.0}", "{[1]}", "1", "\"s\"", "null");
        OracleComparison t = table("object.subset");
        for (String a : values) {
            for (String b : values) {
                t.call(a, b);
            }
        }
        t.assertAgrees();
    }

    @Test
    void numbersRangeStep() {
        OracleComparison t = table("numbers.range_step");
        String[][] calls = {
            {"0", "10", "3"}, {"10", "0", "3"}, {"0", "0", "1"}, {"1", "5", "1"}, {"5", "1", "2"}, {"0", "10", "20"},
            {"-5", "5", "5"}, {"1.0", "3", "1"}, {"1.5", "3", "1"}, {"0", "3.5", "1"}, {"0", "3", "1.5"}, {"0", "3", "0"},
            {"0", "3", "-1"}, {"\"a\"", "3", "1"}, {"0", "null", "1"}, {"0", "3", "\"1\""},
            {"1000", "1010", "3"}, {"9223372036854775806", "9223372036854775810", "1"},
            {"-9223372036854775810", "-9223372036854775806", "2"}, {"1e2", "102", "1"}, {"0", "2", "1e0"},
            {"100000000000000000000", "100000000000000000003", "1"},
        };
        for (String[] c : calls) {
            t.call(c);
        }
        t.assertAgrees();
    }

    static final List<String> VERSIONS = List.of(
            "1.0.0", "v1.0.0", "vv1.0.0", "1.0", "1.0.0.0", "01.0.0", "1.00.0", "0.0.0", "1.2.3", "1.10.0", "1.9.0",
            "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11",
            "1.0.0-rc.1", "1.0.0-0", "1.0.0-01", "1.0.0-0a", "1.0.0-a..b", "1.0.0+build", "1.0.0+build.1",
            "1.0.0-alpha+001", "1.0.0+", "1.0.0-", "-1.0.0", "+1.0.0", "1.0.0-é", "1.2.3-x-y", "1.2.3+x+y",
            "9223372036854775807.0.0", "9223372036854775808.0.0", "1.0.0-99999999999999999999", "1.0.0-1.2",
            "1.0.0-1.2.3", "1.0.0-A", "1.0.0-a", "a.b.c", "", " 1.0.0", "1.0.0 ", "1.٣.0");

    @Test
    void semverIsValid() {
        OracleComparison t = table("semver.is_valid");
        VERSIONS.forEach(v -> t.call("\"" + v + "\""));
        NOT_STRINGS.forEach(t::call);
        t.assertAgrees();
    }

    @Test
    void semverCompare() {
        OracleComparison t = table("semver.compare");
        List<String> valid = VERSIONS.stream().filter(v -> Semver.parse(v) != null).toList();
        for (String a : valid) {
            for (String b : valid) {
                t.call("\"" + a + "\"", "\"" + b + "\"");
            }
        }
        t.call("\"1.0\"", "\"1.0.0\"").call("\"1.0.0\"", "\"x\"").call("\"a\\\"b\"", "\"1.0.0\"").call("1", "\"1.0.0\"");
        t.assertAgrees();
    }

    @Test
    void timeParseRfc3339Ns() {
        List<String> times = new ArrayList<>(List.of(
                "2006-01-02T15:04:05Z", "2006-01-02T15:04:05+07:00", "2006-01-02T15:04:05-07:30", "2006-01-02T15:04:05.123Z",
                "2006-01-02T15:04:05.123456789Z", "2006-01-02T15:04:05.1234567891234Z", "2006-01-02T15:04:05,5Z",
                "2006-01-02T5:04:05Z", "2006-01-02T05:04:05Z", "2006-01-02t15:04:05Z", "2006-01-02T15:04:05z",
                "2006-01-02 15:04:05Z", "2006-01-02T15:04:05", "2006-01-02T15:04Z", "2006-1-02T15:04:05Z",
                "2006-01-2T15:04:05Z", "2006-13-02T15:04:05Z", "2006-00-02T15:04:05Z", "2006-02-29T15:04:05Z",
                "2004-02-29T15:04:05Z", "2006-02-30T15:04:05Z", "2006-04-31T00:00:00Z", "2006-01-32T00:00:00Z",
                "2006-01-00T00:00:00Z", "2006-01-02T24:00:00Z", "2006-01-02T23:60:00Z", "2006-01-02T23:59:60Z",
                "2006-01-02T15:04:05+24:00", "2006-01-02T15:04:05+25:00", "2006-01-02T15:04:05+00:60",
                "2006-01-02T15:04:05+00:61", "2006-01-02T15:04:05+0700", "2006-01-02T15:04:05*07:00",
                "2006-01-02T15:04:05+07:0x", "2006-01-02T15:04:05+x7:00", "2006-01-02T15:04:05+25:xx",
                "2006-01-02T15:04:05Zjunk", "2006-01-02T15:04:05.Z", "1677-09-21T00:12:43.145224192Z",
                "1677-09-21T00:12:43.145224191Z", "2262-04-11T23:47:16.854775807Z", "2262-04-11T23:47:16.854775808Z",
                "0000-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "1970-01-01T00:00:00Z", "1969-12-31T23:59:59.999999999Z",
                "", "x", "2006", "2006-", "20060-01-02T15:04:05Z", "２００６-01-02T15:04:05Z", "2006-01-02T15:04:05+07:00 ",
                "2006-01-02T15:04:05\\\"", "2006-01-02T15:04:05é"));
        OracleComparison t = table("time.parse_rfc3339_ns");
        times.forEach(v -> t.call("\"" + v + "\""));
        NOT_STRINGS.forEach(t::call);
        t.assertAgrees();
    }

    @Test
    void traceIsTrue() {
        table("trace").call("\"note\"").call("\"\"").call("1").call("null").assertAgrees();
    }

    @Test
    void nowNsReadsTheClock() throws BuiltinException {
        Instant at = Instant.parse("2024-05-06T07:08:09.123456789Z");
        HostBuiltin now = HostBuiltins.standard(InstantSource.fixed(at), line -> {}).find("time.now_ns").orElseThrow();
        JsonNode ns = now.call(List.of());
        // Compared with what OPA makes of the same instant.
        OpaOracle.Outcome opa = OpaOracle.get().evaluate(List.of("time.parse_rfc3339_ns(\"2024-05-06T07:08:09.123456789Z\")")).getFirst();
        assertThat(opa).isInstanceOf(OpaOracle.Value.class);
        assertThat(RegoValues.toRegoText(ns)).isEqualTo(RegoValues.toRegoText(((OpaOracle.Value) opa).value()));
    }

    @Test
    void printWritesOneLinePerCombinationOfValues() throws BuiltinException {
        List<String> lines = new ArrayList<>();
        HostBuiltin print = HostBuiltins.standard(InstantSource.system(), lines::add).find("internal.print").orElseThrow();
        JsonNode result = print.call(List.of(RegoValues.parse("[{\"x\"}, {1, 2}, set(), {[1, \"a\"]}]")));
        assertThat(result.booleanValue()).isTrue();
        assertThat(lines).containsExactly("x 1 <undefined> [1, \"a\"]", "x 2 <undefined> [1, \"a\"]");
    }
}
