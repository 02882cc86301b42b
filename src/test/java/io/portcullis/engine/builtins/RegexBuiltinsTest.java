package io.portcullis.engine.builtins;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** regex.split, regex.find_n and regex.replace against OPA: Go's RE2 syntax, errors and matching rules on RE2/J. */
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
        t.assertAgrees();
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
        t.assertAgrees();
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
        t.assertAgrees();
    }

    /** Go's error wording: RE2/J's own, but for the texts and limits Go has and RE2/J has not. */
    @Test
    void syntaxErrorsAreWordedAsGo() {
        OracleComparison t = table("regex.split");
        for (String p : List.of("(", ")", "a)", ")(", "[a", "[z-a]", "a**", "*", "a{1001}", "x{1001,}", "\\\\8", "\\\\",
                "(?P<>a)", "(?P<n", "(?P<a-b>x)", "(?x)a", "(?z)", "(?i", "\\\\C", "\\\\p{Foo}", "\\\\p{^Foo}", "\\\\p{L",
                "\\\\p", "[\\\\p{Foo}]", "\\\\p{Old_Italic}", "\\\\p{SignWriting}", "[[:foo:]]", "[[:alpha:]", "(?i-)",
                "x{2}{3}", "\\\\Z", "(?P=n)", "(a{500}){3}", "(?:a{10}){101}", "((a{10}){10}){11}", "(a{2}|b{501}){2}",
                "a{2,1}", "\\\\x{110000}", "\\\\Qa(", "[]", "[^]")) {
            t.call(str(p), "\"a\"");
        }
        // Go's limits on the parse tree's height and the program's size.
        t.call(str("(".repeat(1001) + "a" + ")".repeat(1001)), "\"a\"")
                .call(str("(".repeat(999) + "a" + ")".repeat(999)), "\"a\"")
                .call(str("(?:".repeat(5000) + "a" + ")".repeat(5000)), "\"a\"")
                .call(str("(" + "a".repeat(4000) + "){1000}"), "\"a\"")
                .call(str("(" + "a".repeat(3000) + "){1000}"), "\"a\"");
        t.assertAgrees();
    }

    /** Unicode classes by Go's names and Unicode version, case folding, and group names Go allows twice. */
    @Test
    void unicodeAndGroupNamesAgreeWithOpa() {
        OracleComparison t = table("regex.find_n");
        List<String> patterns = List.of("\\\\p{lu}+", "\\\\p{Letter}+", "\\\\p{uppercase letter}", "\\\\p{Assigned}",
                "\\\\P{Assigned}", "\\\\p{ascii}+", "\\\\p{Any}", "\\\\P{Any}", "[^\\\\P{Any}]", "\\\\p{Adlam}", "\\\\p{Cn}",
                "\\\\pN", "\\\\p{C}", "[\\\\p{Cs}a]", "\\\\p{Lc}", "\\\\p{Greek}+", "(?i)\\\\p{Greek}+", "(?i)\\\\p{Lu}",
                "(?i)\\\\P{Lu}", "(?i)[\\\\P{Lu}]", "(?i)[^\\\\P{Lu}]", "[\\\\P{L}a]", "(?i:[\\\\P{Ll}])", "(?i)(?-i:[\\\\P{Ll}])",
                "[\\\\pL-z]+", "[\\\\p{Nd}-]+", "\\\\p{^Greek}", "\\\\PL", "\\\\Q\\\\pL\\\\E", "[\\\\Q]", "(?i)ა", "(?i)k",
                "(?i)ǆ", "\\\\w+", "\\\\b.", "[[:^alpha:]\\\\p{Greek}]+", "(?P<n>a)(?P<n>b)", "(?P<x>.)(?P<x>.)(?P<y>.)",
                "(?i)ᲀ", "(?i)\\\\x{1C80}", "(?i)\\\\Qxᲀ\\\\E", "(?i)\\\\p{Ll}+", "(?i:[\\\\p{Lu}\\\\d])+x");
        List<String> inputs = List.of("aAbB", "Ꭰꭰ Ꭺ", "𞤀𞤢 x", "\u0378a", "µΜμ ΣσςΩω", "ǅǆǄ", "ꞵꞴ", "Აა", "K\u212ak",
                "日本 語", "😀a😀", "x-1-2", "ab", "\u00adA\u200b", "ᲀвВ xᲀ");
        for (String p : patterns) {
            for (String s : inputs) {
                t.call(str(p), str(s), "-1");
            }
        }
        t.assertAgrees();

        OracleComparison replace = table("regex.replace");
        for (String tpl : List.of("${n}", "$n", "[$1|$2]", "${x}${y}")) {
            for (String p : List.of("(?P<n>a)(?P<n>b)", "(?P<n>x)|(?P<n>a)", "(?P<x>.)(?P<x>.)(?P<y>.)")) {
                replace.call(str("aab xab"), str(p), str(tpl));
            }
        }
        replace.assertAgrees();
    }

    /**
     * RE2/J's case folding never ends for U+1C80..U+1C88 (Unicode 9 Cyrillic variants its tables predate). Under
     * (?i) they are kept from it: outside a class they match as in Go; inside one they match their orbit (в, В)
     * but not themselves, where Go also matches them. Either way the pattern compiles and matches at once.
     */
    @Test
    void caseFoldingOfNewerCyrillicEnds() throws BuiltinException {
        HostBuiltin find = BUILTINS.find("regex.find_n").orElseThrow();
        for (String p : List.of("(?i)[ᲀ-ᲈ]", "(?i)[\\\\x{1000}-\\\\x{2000}]+", "(?i)[\\\\p{Cyrillic}]+", "(?i)[^ᲀ]|в")) {
            JsonNode found = find.call(List.of(RegoValues.parse(str(p)), RegoValues.parse("\"ᲀвВ\""), RegoValues.parse("-1")));
            assertThat(found.toString()).as(p).contains("в");
        }
    }

    /** Input where a backtracking matcher takes exponential time; RE2 takes linear time and answers as Go does. */
    @Test
    void pathologicalPatternsAnswerAsGo() {
        String aaa = "a".repeat(10_000);
        OracleComparison find = table("regex.find_n")
                .call(str("(.*){1,1000}[bc]"), str(aaa), "-1")
                .call(str("(a|aa)*c"), str(aaa + "cab"), "-1")
                .call(str("(a*)*b"), str(aaa), "-1")
                .call(str("(a|b)+"), str("ab".repeat(50_000)), "1");
        find.assertAgrees();
        table("regex.split").call(str("(a|aa)*c"), str(aaa + "cab")).assertAgrees();
        table("regex.replace").call(str(aaa + "cab"), str("(a|aa)*c"), str("<$0>")).assertAgrees();
    }

    private static OracleComparison table(String name) {
        return new OracleComparison(BUILTINS.find(name).orElseThrow());
    }

    private static String str(String contents) {
        return "\"" + contents + "\"";
    }
}
