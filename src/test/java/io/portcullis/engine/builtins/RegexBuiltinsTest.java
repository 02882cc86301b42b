package io.portcullis.engine.builtins;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** regex.split, regex.find_n and regex.replace against OPA: Go's RE2 syntax and matching rules on java.util.regex. */
class RegexBuiltinsTest {
    private static final HostBuiltins BUILTINS = HostBuiltins.standard();

    /** Patterns where Go and Java differ in syntax or meaning, and everyday ones. Written as Rego string contents. */
    static final List<String> PATTERNS = List.of(
            "", "a", "a*", "a+", "a?", "a*?", "a+?", "(a)", "(a)|b", "a|", "|", ",", ",\\\\s*", "\\\\s+", "\\\\S+",
            "\\\\d+", "\\\\D", "\\\\w+", "\\\\W", "\\\\b", "\\\\B", "^", "$", "^a", "a$", "(?m)^", "(?m)$", "(?m)^a",
            "(?m)a$", ".", "(?s).", ".*", "(?s).*", "\\\\n", "\\\\v", "\\\\x0b", "[\\\\s]", "[^\\\\s]", "[^a]", "[a-c]+",
            "[^a-c]+", "[]a]", "[a-]", "[-a]", "[a\\\\-z]", "[[:alpha:]]+", "[[:^alpha:]]+", "[[:space:]]", "[[:word:]]+",
            "[[:punct:]]", "[\\\\d\\\\s]", "[^\\\\d\\\\s]", "[\\\\D]", "[^\\\\D]", "[[]", "[a&&b]", "[&]", "a{2}", "a{2,}",
            "a{1,2}", "a{,2}", "{", "a{", "}", "a{1000}", "a{1001}", "a{2,1}", "(a{500}){3}", "(a{10}){10}", "a**", "a*+",
            "a++", "a*?\\u003f", "*", "+a", "(*)", "(|a)*", "(?i)abc", "(?i)[a-c]", "(?i)k", "(?i:a)b", "a(?i)b",
            "(?i)a(?-i)b", "(?U)a+", "(?U)a+?", "(?U:a*)a", "(?P<n>a)", "(?<n>a)", "(?P<n_1>a)", "(?P<1>a)", "(?P<>a)",
            "(?P=n)", "(?x)a", "(?#c)", "(?=a)", "(?!a)", "(?<=a)b", "(a)\\\\1", "\\\\Qa.b\\\\E", "\\\\Qa.b", "\\\\.",
            "\\\\_", "\\\\e", "\\\\h", "\\\\R", "\\\\Z", "\\\\z", "\\\\A", "\\\\C", "\\\\pL+", "\\\\p{L}+", "\\\\PL+",
            "\\\\p{Greek}+", "\\\\p{^Greek}", "\\\\p{Han}", "\\\\p{Lu}", "\\\\p{lu}", "\\\\p{Foo}", "\\\\p", "[\\\\p{Lu}\\\\d]",
            "\\\\x41", "\\\\x{1F600}", "\\\\x{110000}", "\\\\x{}", "\\\\101", "\\\\0", "\\\\8", "\\\\", "(", ")", "a)",
            "(a", "[a", "[z-a]", "[[:foo:]]", "(?i)", "(?i-)", "(?-)", "(?)", "x*y*", "\\\\$", "é", "😀", "[é😀]",
            "(a|ab)(c|bcd)(d*)", "(a+)(b+)?", "((a)|b)+", "(?m)^$", "\\\\b\\\\w", "(?i)\\\\W", "[^\\\\n]", "a.c",
            "^\\\\s*$", "[a-z0-9]([-a-z0-9]*[a-z0-9])?", "^[a-z]+(\\\\.[a-z]+)*$", ".*/.*:.*");

    /** Inputs with newlines at the end, empty matches, Unicode and Kubernetes-like strings. */
    static final List<String> INPUTS = List.of(
            "", "a", "aaa", "abc", "a,b,,c", "a, b ,c", "a\\n", "a\\nb\\n", "\\n", "ab\\u000bc", "xaaay", "AbC", "K\\u212a",
            "ſ", "αβγ Δ", "日本 語", "😀a😀", "a.b", "x$y", "{}", "[]", "café", "nginx:1.14.2", "docker.io/library/nginx:latest",
            "abcd", "abbcbcdd");

    @Test
    void splitAgreesWithOpa() {
        OracleComparison t = table("regex.split");
        for (String p : PATTERNS) {
            for (String s : INPUTS) {
                t.call(str(p), str(s));
            }
        }
        t.call("1", "\"a\"").call("\"a\"", "null");
        t.ignoringErrorMessages().assertAgrees();
    }

    @Test
    void findNAgreesWithOpa() {
        OracleComparison t = table("regex.find_n");
        for (String p : PATTERNS) {
            for (String s : INPUTS) {
                t.call(str(p), str(s), "-1");
            }
        }
        for (String n : List.of("0", "1", "2", "-5", "1.0", "1.5", "\"1\"")) {
            t.call(str("a*"), str("baaac"), n).call(str("."), str("abc"), n);
        }
        t.ignoringErrorMessages().assertAgrees();
    }

    @Test
    void replaceAgreesWithOpa() {
        OracleComparison t = table("regex.replace");
        List<String> templates = List.of("", "x", "$1", "${1}", "$1x", "${1}x", "$n", "${n}", "$$", "$", "$0", "[$0]",
                "$2-$1", "${", "${1", "$01", "$99", "$é", "$_", "\\\\1");
        for (String p : PATTERNS) {
            for (String s : INPUTS) {
                t.call(str(s), str(p), str("<$0>"));
            }
        }
        for (String tpl : templates) {
            for (String p : List.of("(a)(b)?", "(?P<n>a+)", "(?P<n>x)|(?P<n>a)", "a*", "")) {
                for (String s : List.of("aab", "bab", "", "aaa")) {
                    t.call(str(s), str(p), str(tpl));
                }
            }
        }
        t.ignoringErrorMessages().assertAgrees();
    }

    /** Go's error wording for the common mistakes; the tables above only compare error against error. */
    @Test
    void syntaxErrorsAreWordedAsGo() {
        OracleComparison t = table("regex.split");
        for (String p : List.of("(", ")", "a)", "[a", "[z-a]", "a**", "*", "a{1001}", "\\\\8", "\\\\", "(?P<>a)",
                "(?x)a", "\\\\C", "\\\\p{Foo}", "[[:foo:]]", "(?i-)", "x{2}{3}", "\\\\Z", "(?P=n)")) {
            t.call(str(p), "\"a\"");
        }
        t.assertAgrees();
    }

    @Test
    void catastrophicBacktrackingIsStopped() {
        HostBuiltin split = BUILTINS.find("regex.split").orElseThrow();
        // Go answers in linear time; Java's backtracking would take hours.
        String input = "a".repeat(30);
        assertThatThrownBy(() -> split.call(List.of(RegoValues.parse("\"(.*){1,1000}[bc]\""), RegoValues.parse(str(input)))))
                .isInstanceOf(BuiltinException.class).hasMessageContaining("too expensive");
    }

    @Test
    void longInputsWorkWithoutExhaustingTheStack() throws BuiltinException {
        HostBuiltin find = BUILTINS.find("regex.find_n").orElseThrow();
        String input = "ab".repeat(50_000);
        var result = find.call(List.of(RegoValues.parse("\"(a|b)+\""), RegoValues.parse(str(input)), RegoValues.parse("-1")));
        assertThat(result.size()).isLessThanOrEqualTo(1);
    }

    private static OracleComparison table(String name) {
        return new OracleComparison(BUILTINS.find(name).orElseThrow());
    }

    private static String str(String contents) {
        return "\"" + contents + "\"";
    }
}
