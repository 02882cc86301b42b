package io.portcullis.engine.builtins;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A Go (RE2) regular expression, run on java.util.regex. The Go syntax is parsed here with Go's rules (what is
 * an error, what is a literal, flag scoping, repeat limits) and rewritten as an equivalent Java pattern, because
 * the two dialects differ in ways that change results:
 * <ul>
 *   <li>Go's {@code $} (without m) matches only at the end of the text, Java's also before a final newline;</li>
 *   <li>Go's {@code (?m)^} also matches after a final newline; Go's {@code \s} has no vertical tab; Go's {@code \v}
 *       is the vertical tab character, Java's a class; {@code .} excludes only {@code \n} in Go;</li>
 *   <li>Go has {@code (?U)} (ungreedy) and {@code (?P<name>...)}; Java reads {@code (?U)} as Unicode classes;</li>
 *   <li>Go rejects backreferences, lookaround, possessive and stacked quantifiers ({@code a**}, {@code a++}),
 *       repeat counts over 1000 and unknown escapes; Java accepts them;</li>
 *   <li>Go treats {@code {} that does not start a valid repeat, {@code [} inside a class and {@code &&} as
 *       literals; Java does not.</li>
 * </ul>
 * Matching is leftmost-first in both, so match positions agree. Go guarantees linear time; Java backtracks, so a
 * pathological pattern on a long input is stopped by a step budget (an error here, a result in Go), and very long
 * inputs with nested groups can exhaust Java's stack (also an error here). Unicode class names ({@code \p{Greek}})
 * are resolved by Java's tables.
 */
final class GoRegex {
    /** Stops catastrophic backtracking: input character reads allowed per character of input, plus a floor. */
    private static final long STEP_BUDGET_PER_CHAR = 1_000;
    private static final long STEP_BUDGET_FLOOR = 10_000_000;
    private static final int MAX_REPEAT = 1000;
    private static final int MAX_DEPTH = 1000;
    private static final long BIG_STACK = 1L << 30;
    private static final String ANY_CHAR = "[\\x{0}-\\x{10FFFF}]";
    private static final String WORD = "0-9A-Za-z_";
    private static final String WORD_BOUNDARY =
            "(?:(?<=[" + WORD + "])(?![" + WORD + "])|(?<![" + WORD + "])(?=[" + WORD + "]))";
    private static final String NOT_WORD_BOUNDARY =
            "(?:(?<=[" + WORD + "])(?=[" + WORD + "])|(?<![" + WORD + "])(?![" + WORD + "]))";
    private static final Map<String, String> POSIX = Map.ofEntries(
            Map.entry("alnum", "0-9A-Za-z"), Map.entry("alpha", "A-Za-z"), Map.entry("ascii", "\\x{0}-\\x{7F}"),
            Map.entry("blank", "\\t "), Map.entry("cntrl", "\\x{0}-\\x{1F}\\x{7F}"), Map.entry("digit", "0-9"),
            Map.entry("graph", "!-~"), Map.entry("lower", "a-z"), Map.entry("print", " -~"),
            Map.entry("punct", "!-/:-@\\[-`{-~"), Map.entry("space", "\\t-\\r "), Map.entry("upper", "A-Z"),
            Map.entry("word", WORD), Map.entry("xdigit", "0-9A-Fa-f"));
    private static final Map<Character, String> PERL = Map.of(
            'd', "0-9", 's', "\\t\\n\\f\\r ", 'w', WORD);

    private static final Map<String, GoRegex> CACHE = Collections.synchronizedMap(new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, GoRegex> eldest) {
            return size() > 256;
        }
    });

    private final String expr;
    private final Pattern pattern;
    /** Group names by group number; index 0 (the whole match) and unnamed groups are "". */
    private final List<String> names;

    private GoRegex(String expr, Pattern pattern, List<String> names) {
        this.expr = expr;
        this.pattern = pattern;
        this.names = names;
    }

    /** Thrown for a pattern Go rejects, with Go's message ("error parsing regexp: ..."). */
    static final class SyntaxError extends Exception {
        SyntaxError(String code, String expr) {
            super("error parsing regexp: " + code + ": `" + expr + "`");
        }
    }

    /** Thrown when Java cannot finish a match that Go would (backtracking budget or stack exhausted). */
    static final class TooComplex extends RuntimeException {
        TooComplex(String why) {
            super(why);
        }
    }

    static GoRegex compile(String expr) throws SyntaxError {
        GoRegex cached = CACHE.get(expr);
        if (cached != null) {
            return cached;
        }
        Translator t = new Translator(expr);
        String java = t.translate();
        Pattern pattern;
        try {
            pattern = Pattern.compile(java);
        } catch (PatternSyntaxException e) {
            // Only Unicode class names can get here: Go knows them, Java does not.
            throw new SyntaxError("invalid character class range", expr);
        }
        GoRegex re = new GoRegex(expr, pattern, List.copyOf(t.names));
        CACHE.put(expr, re);
        return re;
    }

    String javaPattern() {
        return pattern.pattern();
    }

    // ---- matching with Go's semantics

    /**
     * Go's allMatches: successive non-overlapping matches, at most n (all when n < 0), where an empty match
     * right after the previous match is skipped. Each match is its group offsets {start0, end0, start1, ...}.
     */
    List<int[]> findAll(String s, int n) {
        try {
            return findAllOnThisThread(s, n);
        } catch (StackOverflowError e) {
            // Java's matcher recurses once per repetition of some groups; retry on a thread with a big stack.
            return findAllOnBigStack(s, n);
        }
    }

    private List<int[]> findAllOnBigStack(String s, int n) {
        Object[] result = new Object[1];
        Thread t = new Thread(null, () -> {
            try {
                result[0] = findAllOnThisThread(s, n);
            } catch (StackOverflowError e) {
                result[0] = new TooComplex("regular expression too complex for this input (Java stack exhausted)");
            } catch (RuntimeException e) {
                result[0] = e;
            }
        }, "go-regex", BIG_STACK);
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TooComplex("interrupted while matching a regular expression");
        }
        if (result[0] instanceof RuntimeException e) {
            throw e;
        }
        @SuppressWarnings("unchecked")
        List<int[]> matches = (List<int[]>) result[0];
        return matches;
    }

    private List<int[]> findAllOnThisThread(String s, int n) {
        int limit = n < 0 ? Integer.MAX_VALUE : n;
        List<int[]> out = new ArrayList<>();
        Matcher m = pattern.matcher(new Budgeted(s));
        int end = s.length();
        int prevMatchEnd = -1;
        for (int pos = 0; out.size() < limit && pos <= end; ) {
            if (!find(m, s, pos)) {
                break;
            }
            boolean accept = true;
            if (m.end() == pos) {
                // An empty match: not allowed right after a previous match; move on one character.
                if (m.start() == prevMatchEnd) {
                    accept = false;
                }
                pos = pos < end ? pos + Character.charCount(s.codePointAt(pos)) : end + 1;
            } else {
                pos = m.end();
            }
            prevMatchEnd = m.end();
            if (accept) {
                int[] groups = new int[2 * (m.groupCount() + 1)];
                for (int g = 0; g <= m.groupCount(); g++) {
                    groups[2 * g] = m.start(g);
                    groups[2 * g + 1] = m.end(g);
                }
                out.add(groups);
            }
        }
        return out;
    }

    /** The leftmost match at or after from that starts on a character, not inside a surrogate pair (Go sees runes). */
    private static boolean find(Matcher m, String s, int from) {
        int start = from;
        while (m.find(start)) {
            int at = m.start();
            if (at == 0 || at == s.length() || !Character.isHighSurrogate(s.charAt(at - 1))
                    || !Character.isLowSurrogate(s.charAt(at))) {
                return true;
            }
            start = at + 1;
        }
        return false;
    }

    /** Go's Regexp.Split(s, -1). */
    List<String> split(String s) {
        List<String> out = new ArrayList<>();
        if (!expr.isEmpty() && s.isEmpty()) {
            out.add("");
            return out;
        }
        int beg = 0;
        int end = 0;
        for (int[] match : findAll(s, -1)) {
            end = match[0];
            if (match[1] != 0) {
                out.add(s.substring(beg, end));
            }
            beg = match[1];
        }
        if (end != s.length()) {
            out.add(s.substring(beg));
        }
        return out;
    }

    /** Go's FindAllString(s, n). */
    List<String> findAllStrings(String s, int n) {
        return findAll(s, n).stream().map(m -> s.substring(m[0], m[1])).toList();
    }

    /** Replaces every match by the template expanded as Go's Regexp.Expand does ($1, ${1}, $name, ${name}, $$). */
    String replaceAll(String src, String template) {
        StringBuilder out = new StringBuilder();
        int lastEnd = 0;
        for (int[] match : findAll(src, -1)) {
            out.append(src, lastEnd, match[0]);
            expand(out, template, src, match);
            lastEnd = match[1];
        }
        return out.append(src, lastEnd, src.length()).toString();
    }

    private void expand(StringBuilder out, String template, String src, int[] match) {
        String t = template;
        while (!t.isEmpty()) {
            int dollar = t.indexOf('$');
            if (dollar < 0) {
                break;
            }
            out.append(t, 0, dollar);
            t = t.substring(dollar + 1);
            if (!t.isEmpty() && t.charAt(0) == '$') {
                out.append('$');
                t = t.substring(1);
                continue;
            }
            // extract: a name of letters, digits and _, optionally in braces
            boolean brace = !t.isEmpty() && t.charAt(0) == '{';
            String rest = brace ? t.substring(1) : t;
            int i = 0;
            while (i < rest.length()) {
                int c = rest.codePointAt(i);
                if (!Character.isLetter(c) && !Character.isDigit(c) && c != '_') {
                    break;
                }
                i += Character.charCount(c);
            }
            if (i == 0 || (brace && (i >= rest.length() || rest.charAt(i) != '}'))) {
                out.append('$'); // malformed: the $ is literal text
                continue;
            }
            String name = rest.substring(0, i);
            t = rest.substring(brace ? i + 1 : i);
            int num = groupNumber(name);
            if (num >= 0) {
                if (2 * num + 1 < match.length && match[2 * num] >= 0) {
                    out.append(src, match[2 * num], match[2 * num + 1]);
                }
            } else {
                for (int g = 0; g < names.size(); g++) {
                    if (name.equals(names.get(g)) && 2 * g + 1 < match.length && match[2 * g] >= 0) {
                        out.append(src, match[2 * g], match[2 * g + 1]);
                        break;
                    }
                }
            }
        }
        out.append(t);
    }

    /** A decimal group number without leading zeros (below 1e8), or -1 for a name. */
    private static int groupNumber(String name) {
        int num = 0;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < '0' || c > '9' || num >= 100_000_000) {
                return -1;
            }
            num = num * 10 + (c - '0');
        }
        if (name.charAt(0) == '0' && name.length() > 1) {
            return -1;
        }
        return num;
    }

    /** The input as the matcher sees it, counting reads so that runaway backtracking ends. */
    private static final class Budgeted implements CharSequence {
        private final String s;
        private long budget;

        Budgeted(String s) {
            this.s = s;
            this.budget = STEP_BUDGET_FLOOR + STEP_BUDGET_PER_CHAR * s.length();
        }

        @Override
        public char charAt(int index) {
            if (--budget < 0) {
                throw new TooComplex("regular expression too expensive for this input (Java backtracking)");
            }
            return s.charAt(index);
        }

        @Override
        public int length() {
            return s.length();
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return s.subSequence(start, end);
        }

        @Override
        public String toString() {
            return s;
        }
    }

    // ---- Go syntax to Java syntax

    /** A parsed piece of the pattern; only repeats need structure (for Go's nested repeat limit). */
    private sealed interface Node permits Leaf, Group, Seq, Repeat {}

    private record Leaf(String java) implements Node {}

    private record Group(boolean capturing, Node child) implements Node {}

    /** A concatenation (alternation == false) or alternation of parts. */
    private record Seq(List<Node> parts, boolean alternation) implements Node {}

    private record Repeat(Node child, String quantifier, int min, int max) implements Node {}

    /** Recursive descent over Go's regexp/syntax grammar with Perl flags, as regexp.Compile uses. */
    private static final class Translator {
        private final String whole;
        private int pos;
        private final List<String> names = new ArrayList<>(List.of(""));
        // Go's parser flags
        private boolean foldCase;
        private boolean dotNL;
        private boolean oneLine = true;
        private boolean nonGreedy;
        private int depth;

        Translator(String whole) {
            this.whole = whole;
        }

        String translate() throws SyntaxError {
            Node node = alternation();
            if (pos < whole.length()) {
                // Only an unmatched ) stops the top-level alternation early.
                throw new SyntaxError("unexpected )", whole);
            }
            StringBuilder out = new StringBuilder();
            emit(node, out);
            return out.toString();
        }

        private static void emit(Node node, StringBuilder out) {
            switch (node) {
                case Leaf l -> out.append(l.java());
                case Group g -> {
                    out.append(g.capturing() ? "(" : "(?:");
                    emit(g.child(), out);
                    out.append(')');
                }
                case Seq s -> {
                    for (int i = 0; i < s.parts().size(); i++) {
                        if (s.alternation() && i > 0) {
                            out.append('|');
                        }
                        emit(s.parts().get(i), out);
                    }
                }
                case Repeat r -> {
                    out.append("(?:");
                    emit(r.child(), out);
                    out.append(')').append(r.quantifier());
                }
            }
        }

        private Node alternation() throws SyntaxError {
            List<Node> alternatives = new ArrayList<>();
            alternatives.add(concatenation());
            while (pos < whole.length() && whole.charAt(pos) == '|') {
                pos++;
                alternatives.add(concatenation());
            }
            return alternatives.size() == 1 ? alternatives.getFirst() : new Seq(alternatives, true);
        }

        private Node concatenation() throws SyntaxError {
            List<Node> items = new ArrayList<>();
            int lastRepeatStart = -1; // start of the previous token when it was a repeat operator
            while (pos < whole.length()) {
                char c = whole.charAt(pos);
                if (c == '|' || c == ')') {
                    break;
                }
                int tokenStart = pos;
                int repeatStart = -1;
                switch (c) {
                    case '(' -> group(items);
                    case '^' -> {
                        pos++;
                        items.add(new Leaf(oneLine ? "\\A" : "(?:\\A|(?<=\\n))"));
                    }
                    case '$' -> {
                        pos++;
                        items.add(new Leaf(oneLine ? "\\z" : "(?:\\z|(?=\\n))"));
                    }
                    case '.' -> {
                        pos++;
                        items.add(new Leaf(dotNL ? ANY_CHAR : "[^\\n]"));
                    }
                    case '[' -> items.add(new Leaf(charClass()));
                    case '*', '+', '?' -> {
                        pos++;
                        int min = c == '+' ? 1 : 0;
                        int max = c == '?' ? 1 : -1;
                        repeat(items, String.valueOf(c), min, max, tokenStart, lastRepeatStart, false);
                        repeatStart = tokenStart;
                    }
                    case '{' -> {
                        int[] counts = repeatCounts();
                        if (counts == null) {
                            pos++;
                            items.add(literal('{'));
                        } else {
                            int min = counts[0];
                            int max = counts[1];
                            if (min < 0 || min > MAX_REPEAT || max > MAX_REPEAT || (max >= 0 && min > max)) {
                                throw new SyntaxError("invalid repeat count", whole.substring(tokenStart, pos));
                            }
                            String q = "{" + min + (max == min ? "" : "," + (max < 0 ? "" : String.valueOf(max))) + "}";
                            repeat(items, q, min, max, tokenStart, lastRepeatStart, true);
                            repeatStart = tokenStart;
                        }
                    }
                    case '\\' -> escape(items);
                    default -> {
                        int cp = whole.codePointAt(pos);
                        pos += Character.charCount(cp);
                        items.add(literal(cp));
                    }
                }
                lastRepeatStart = repeatStart;
            }
            return items.size() == 1 ? items.getFirst() : new Seq(items, false);
        }

        private void repeat(List<Node> items, String quantifier, int min, int max, int start, int lastRepeatStart,
                boolean counted) throws SyntaxError {
            boolean lazy = nonGreedy;
            if (pos < whole.length() && whole.charAt(pos) == '?') {
                pos++;
                lazy = !lazy;
            }
            if (lastRepeatStart >= 0) {
                throw new SyntaxError("invalid nested repetition operator", whole.substring(lastRepeatStart, pos));
            }
            if (items.isEmpty()) {
                throw new SyntaxError("missing argument to repetition operator", whole.substring(start, pos));
            }
            Repeat r = new Repeat(items.getLast(), quantifier + (lazy ? "?" : ""), min, max);
            if (counted && (min >= 2 || max >= 2) && !repeatIsValid(r, MAX_REPEAT)) {
                throw new SyntaxError("invalid repeat count", whole.substring(start, pos));
            }
            items.set(items.size() - 1, r);
        }

        /** Go's repeatIsValid: nested counted repeats may not multiply beyond 1000. */
        private static boolean repeatIsValid(Node node, int n) {
            switch (node) {
                case Repeat r -> {
                    if (r.quantifier().startsWith("{")) {
                        int m = r.max();
                        if (m == 0) {
                            return true;
                        }
                        if (m < 0) {
                            m = r.min();
                        }
                        if (m > n) {
                            return false;
                        }
                        if (m > 0) {
                            n /= m;
                        }
                    }
                    return repeatIsValid(r.child(), n);
                }
                case Group g -> {
                    return repeatIsValid(g.child(), n);
                }
                case Seq s -> {
                    for (Node part : s.parts()) {
                        if (!repeatIsValid(part, n)) {
                            return false;
                        }
                    }
                    return true;
                }
                case Leaf l -> {
                    return true;
                }
            }
        }

        /** Go's parseRepeat: {n}, {n,} or {n,m}; null when this { is a literal. Sets pos after the }. */
        private int[] repeatCounts() {
            int p = pos + 1;
            int[] min = parseInt(p);
            if (min == null || min[1] >= whole.length()) {
                return null;
            }
            p = min[1];
            int max;
            if (whole.charAt(p) != ',') {
                max = min[0];
            } else {
                p++;
                if (p >= whole.length()) {
                    return null;
                }
                if (whole.charAt(p) == '}') {
                    max = -1;
                } else {
                    int[] m = parseInt(p);
                    if (m == null) {
                        return null;
                    }
                    p = m[1];
                    max = m[0];
                    if (max < 0) {
                        min[0] = -1;
                    }
                }
            }
            if (p >= whole.length() || whole.charAt(p) != '}') {
                return null;
            }
            pos = p + 1;
            return new int[] {min[0], max};
        }

        /** Go's parseInt: digits without leading zeros; {value (-1 when too big), end}, or null. */
        private int[] parseInt(int p) {
            if (p >= whole.length() || !isDigit(whole.charAt(p))) {
                return null;
            }
            if (p + 1 < whole.length() && whole.charAt(p) == '0' && isDigit(whole.charAt(p + 1))) {
                return null;
            }
            int start = p;
            while (p < whole.length() && isDigit(whole.charAt(p))) {
                p++;
            }
            int n = 0;
            for (int i = start; i < p; i++) {
                if (n >= 100_000_000) {
                    n = -1;
                    break;
                }
                n = n * 10 + whole.charAt(i) - '0';
            }
            return new int[] {n, p};
        }

        private static boolean isDigit(char c) {
            return c >= '0' && c <= '9';
        }

        private void group(List<Node> items) throws SyntaxError {
            int start = pos;
            String rest = whole.substring(pos);
            if (rest.length() >= 2 && rest.charAt(1) == '?') {
                boolean startsWithP = rest.length() > 4 && rest.charAt(2) == 'P' && rest.charAt(3) == '<';
                boolean startsWithName = rest.length() > 3 && rest.charAt(2) == '<';
                if (startsWithP || startsWithName) {
                    int end = rest.indexOf('>');
                    if (end < 0) {
                        throw new SyntaxError("invalid named capture", rest);
                    }
                    String name = rest.substring(startsWithP ? 4 : 3, end);
                    if (!isValidCaptureName(name)) {
                        throw new SyntaxError("invalid named capture", rest.substring(0, end + 1));
                    }
                    pos += end + 1;
                    items.add(subgroupBody(true, name, flags()));
                    return;
                }
                perlFlags(items, start);
                return;
            }
            pos++;
            items.add(subgroupBody(true, "", flags()));
        }

        /** Go's parsePerlFlags for (?flags) and (?flags:...). */
        private void perlFlags(List<Node> items, int start) throws SyntaxError {
            boolean fold = foldCase;
            boolean dot = dotNL;
            boolean one = oneLine;
            boolean ungreedy = nonGreedy;
            int sign = 1;
            boolean sawFlag = false;
            int p = pos + 2;
            while (p < whole.length()) {
                int c = whole.codePointAt(p);
                p += Character.charCount(c);
                boolean on = sign > 0;
                switch (c) {
                    case 'i' -> {
                        fold = on;
                        sawFlag = true;
                    }
                    case 'm' -> {
                        one = !on;
                        sawFlag = true;
                    }
                    case 's' -> {
                        dot = on;
                        sawFlag = true;
                    }
                    case 'U' -> {
                        ungreedy = on;
                        sawFlag = true;
                    }
                    case '-' -> {
                        if (sign < 0) {
                            throw new SyntaxError("invalid or unsupported Perl syntax", whole.substring(start, p));
                        }
                        sign = -1;
                        sawFlag = false;
                    }
                    case ':', ')' -> {
                        if (sign < 0 && !sawFlag) {
                            throw new SyntaxError("invalid or unsupported Perl syntax", whole.substring(start, p));
                        }
                        pos = p;
                        if (c == ':') {
                            boolean[] saved = flags();
                            foldCase = fold;
                            dotNL = dot;
                            oneLine = one;
                            nonGreedy = ungreedy;
                            items.add(subgroupBody(false, "", saved));
                        } else {
                            // Flags change for the rest of the enclosing group.
                            foldCase = fold;
                            dotNL = dot;
                            oneLine = one;
                            nonGreedy = ungreedy;
                        }
                        return;
                    }
                    default -> throw new SyntaxError("invalid or unsupported Perl syntax", whole.substring(start, p));
                }
            }
            throw new SyntaxError("invalid or unsupported Perl syntax", whole.substring(start, p));
        }

        private boolean[] flags() {
            return new boolean[] {foldCase, dotNL, oneLine, nonGreedy};
        }

        /** Parses up to the closing ) and restores the flags in force before the group. */
        private Node subgroupBody(boolean capturing, String name, boolean[] savedFlags) throws SyntaxError {
            if (capturing) {
                names.add(name);
            }
            if (++depth > MAX_DEPTH) {
                throw new SyntaxError("expression nests too deeply", whole);
            }
            Node child = alternation();
            if (pos >= whole.length()) {
                throw new SyntaxError("missing closing )", whole);
            }
            pos++; // )
            depth--;
            foldCase = savedFlags[0];
            dotNL = savedFlags[1];
            oneLine = savedFlags[2];
            nonGreedy = savedFlags[3];
            return new Group(capturing, child);
        }

        private static boolean isValidCaptureName(String name) {
            if (name.isEmpty()) {
                return false;
            }
            for (int i = 0; i < name.length(); ) {
                int c = name.codePointAt(i);
                i += Character.charCount(c);
                boolean alnum = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
                if (c != '_' && !alnum) {
                    return false;
                }
            }
            return true;
        }

        /** A backslash outside a class: assertions, \Q...\E, classes, or an escaped character. */
        private void escape(List<Node> items) throws SyntaxError {
            if (pos + 1 < whole.length()) {
                switch (whole.charAt(pos + 1)) {
                    case 'A' -> {
                        pos += 2;
                        items.add(new Leaf("\\A"));
                        return;
                    }
                    case 'b' -> {
                        pos += 2;
                        items.add(new Leaf(WORD_BOUNDARY));
                        return;
                    }
                    case 'B' -> {
                        pos += 2;
                        items.add(new Leaf(NOT_WORD_BOUNDARY));
                        return;
                    }
                    case 'C' -> throw new SyntaxError("invalid escape sequence", "\\C");
                    case 'Q' -> {
                        int end = whole.indexOf("\\E", pos + 2);
                        String lit = end < 0 ? whole.substring(pos + 2) : whole.substring(pos + 2, end);
                        pos = end < 0 ? whole.length() : end + 2;
                        lit.codePoints().forEach(cp -> items.add(literal(cp)));
                        return;
                    }
                    case 'z' -> {
                        pos += 2;
                        items.add(new Leaf("\\z"));
                        return;
                    }
                    default -> {}
                }
            }
            StringBuilder cls = new StringBuilder();
            List<String> negated = new ArrayList<>();
            if (unicodeClass(cls, negated) || perlClass(cls, negated)) {
                items.add(new Leaf(classOf(cls, negated, false)));
                return;
            }
            items.add(literal(escapedChar()));
        }

        /** Go's parseEscape: the character a backslash sequence (not a class) stands for. */
        private int escapedChar() throws SyntaxError {
            int start = pos;
            pos++; // backslash
            if (pos >= whole.length()) {
                throw new SyntaxError("trailing backslash at end of expression", "");
            }
            int c = whole.codePointAt(pos);
            pos += Character.charCount(c);
            switch (c) {
                case '1', '2', '3', '4', '5', '6', '7', '0' -> {
                    if (c != '0' && (pos >= whole.length() || whole.charAt(pos) < '0' || whole.charAt(pos) > '7')) {
                        break; // a backreference: not supported
                    }
                    int r = c - '0';
                    for (int i = 1; i < 3; i++) {
                        if (pos >= whole.length() || whole.charAt(pos) < '0' || whole.charAt(pos) > '7') {
                            break;
                        }
                        r = r * 8 + whole.charAt(pos) - '0';
                        pos++;
                    }
                    return r;
                }
                case 'x' -> {
                    if (pos >= whole.length()) {
                        break;
                    }
                    int d = whole.codePointAt(pos);
                    pos += Character.charCount(d);
                    if (d == '{') {
                        int nhex = 0;
                        int r = 0;
                        while (true) {
                            if (pos >= whole.length()) {
                                throw new SyntaxError("invalid escape sequence", whole.substring(start, pos));
                            }
                            int h = whole.codePointAt(pos);
                            pos += Character.charCount(h);
                            if (h == '}') {
                                break;
                            }
                            int v = Character.digit(h, 16);
                            if (v < 0 || h > 'f') {
                                throw new SyntaxError("invalid escape sequence", whole.substring(start, pos));
                            }
                            r = r * 16 + v;
                            if (r > GoQuote.MAX_RUNE) {
                                throw new SyntaxError("invalid escape sequence", whole.substring(start, pos));
                            }
                            nhex++;
                        }
                        if (nhex == 0) {
                            throw new SyntaxError("invalid escape sequence", whole.substring(start, pos));
                        }
                        return r;
                    }
                    int x = hexDigit(d);
                    if (pos >= whole.length()) {
                        throw new SyntaxError("invalid escape sequence", whole.substring(start, pos));
                    }
                    int e = whole.codePointAt(pos);
                    pos += Character.charCount(e);
                    int y = hexDigit(e);
                    if (x < 0 || y < 0) {
                        break;
                    }
                    return x * 16 + y;
                }
                case 'a' -> {
                    return 0x07;
                }
                case 'f' -> {
                    return '\f';
                }
                case 'n' -> {
                    return '\n';
                }
                case 'r' -> {
                    return '\r';
                }
                case 't' -> {
                    return '\t';
                }
                case 'v' -> {
                    return 0x0B;
                }
                default -> {
                    boolean alnum = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
                    if (c < 0x80 && !alnum) {
                        return c;
                    }
                }
            }
            throw new SyntaxError("invalid escape sequence", whole.substring(start, pos));
        }

        private static int hexDigit(int c) {
            if (c >= '0' && c <= '9') {
                return c - '0';
            }
            if (c >= 'a' && c <= 'f') {
                return c - 'a' + 10;
            }
            if (c >= 'A' && c <= 'F') {
                return c - 'A' + 10;
            }
            return -1;
        }

        /** \pL, \p{Greek}, \P{...}, \p{^...}: appends to the class, or returns false when not at one. */
        private boolean unicodeClass(StringBuilder cls, List<String> negated) throws SyntaxError {
            if (pos + 1 >= whole.length() || whole.charAt(pos) != '\\'
                    || (whole.charAt(pos + 1) != 'p' && whole.charAt(pos + 1) != 'P')) {
                return false;
            }
            int start = pos;
            boolean positive = whole.charAt(pos + 1) == 'p';
            if (pos + 2 >= whole.length()) {
                // Go takes no rune and no name here: an unknown class.
                throw new SyntaxError("invalid character class range", whole.substring(start));
            }
            int c = whole.codePointAt(pos + 2);
            String name;
            String seq;
            if (c != '{') {
                pos += 2 + Character.charCount(c);
                seq = whole.substring(start, pos);
                name = seq.substring(2);
            } else {
                int end = whole.indexOf('}', start);
                if (end < 0) {
                    throw new SyntaxError("invalid character class range", whole.substring(start));
                }
                seq = whole.substring(start, end + 1);
                name = whole.substring(start + 3, end);
                pos = end + 1;
            }
            if (!name.isEmpty() && name.charAt(0) == '^') {
                positive = !positive;
                name = name.substring(1);
            }
            String canonical = canonicalName(name);
            String java;
            switch (canonical) {
                case "Any" -> java = "\\x{0}-\\x{10FFFF}";
                case "Assigned" -> java = "\\P{Cn}";
                case "Ascii" -> java = "\\x{0}-\\x{7F}";
                case "Lc" -> java = "\\p{Lu}\\p{Ll}\\p{Lt}";
                case "" -> throw new SyntaxError("invalid character class range", seq);
                default -> {
                    java = "\\p{Is" + canonical + "}";
                    try {
                        Pattern.compile(java);
                    } catch (PatternSyntaxException e) {
                        throw new SyntaxError("invalid character class range", seq);
                    }
                }
            }
            if (positive) {
                cls.append(java);
            } else {
                negated.add(java);
            }
            return true;
        }

        /** Go's canonicalName: leading upper case, the rest lower case, without _ - and spaces. */
        private static String canonicalName(String name) {
            StringBuilder b = new StringBuilder();
            boolean first = true;
            for (char c : name.toCharArray()) {
                if (c == '_' || c == '-' || c == ' ') {
                    continue;
                }
                if (first) {
                    b.append(c >= 'a' && c <= 'z' ? (char) (c - 32) : c);
                    first = false;
                } else {
                    b.append(c >= 'A' && c <= 'Z' ? (char) (c + 32) : c);
                }
            }
            return b.toString();
        }

        /** \d \D \s \S \w \W: appends to the class, or returns false when not at one. */
        private boolean perlClass(StringBuilder cls, List<String> negated) {
            if (pos + 1 >= whole.length() || whole.charAt(pos) != '\\') {
                return false;
            }
            char c = whole.charAt(pos + 1);
            String members = PERL.get(Character.toLowerCase(c));
            if (members == null || !(c == 'd' || c == 'D' || c == 's' || c == 'S' || c == 'w' || c == 'W')) {
                return false;
            }
            pos += 2;
            if (Character.isLowerCase(c)) {
                cls.append(members);
            } else {
                negated.add(members);
            }
            return true;
        }

        /** Go's parseClass: [...] with ranges, escapes, [:posix:], \p{...} and \d-style members. */
        private String charClass() throws SyntaxError {
            int start = pos;
            pos++; // [
            boolean negate = false;
            if (pos < whole.length() && whole.charAt(pos) == '^') {
                negate = true;
                pos++;
            }
            StringBuilder cls = new StringBuilder();
            List<String> negatedMembers = new ArrayList<>();
            boolean first = true;
            while (pos >= whole.length() || whole.charAt(pos) != ']' || first) {
                first = false;
                if (pos + 2 < whole.length() && whole.startsWith("[:", pos)) {
                    int close = whole.indexOf(":]", pos + 2);
                    if (close >= 0) {
                        String name = whole.substring(pos, close + 2);
                        String inner = name.substring(2, name.length() - 2);
                        boolean neg = inner.startsWith("^");
                        String members = POSIX.get(neg ? inner.substring(1) : inner);
                        if (members == null) {
                            throw new SyntaxError("invalid character class range", name);
                        }
                        if (neg) {
                            negatedMembers.add(members);
                        } else {
                            cls.append(members);
                        }
                        pos = close + 2;
                        continue;
                    }
                }
                if (unicodeClass(cls, negatedMembers) || perlClass(cls, negatedMembers)) {
                    continue;
                }
                int rangeStart = pos;
                int lo = classChar(start);
                int hi = lo;
                if (pos + 1 < whole.length() && whole.charAt(pos) == '-' && whole.charAt(pos + 1) != ']') {
                    pos++;
                    hi = classChar(start);
                    if (hi < lo) {
                        throw new SyntaxError("invalid character class range", whole.substring(rangeStart, pos));
                    }
                }
                cls.append(hex(lo));
                if (hi != lo) {
                    cls.append('-').append(hex(hi));
                }
            }
            pos++; // ]
            return classOf(cls, negatedMembers, negate);
        }

        private int classChar(int classStart) throws SyntaxError {
            if (pos >= whole.length()) {
                throw new SyntaxError("missing closing ]", whole.substring(classStart));
            }
            if (whole.charAt(pos) == '\\') {
                return escapedChar();
            }
            int cp = whole.codePointAt(pos);
            pos += Character.charCount(cp);
            return cp;
        }

        /**
         * A Java matcher for one character in the union of the class members and the complements in negated,
         * itself complemented when negate. Java's rules for negation inside nested classes are avoided by using
         * alternation and a lookahead; case folding applies to the members before complementing, as in Go.
         */
        private String classOf(CharSequence members, List<String> negated, boolean negate) {
            List<String> alternatives = new ArrayList<>();
            if (!members.isEmpty()) {
                alternatives.add("[" + members + "]");
            }
            for (String n : negated) {
                alternatives.add("[^" + n + "]");
            }
            String union;
            if (alternatives.isEmpty()) {
                union = null;
            } else if (alternatives.size() == 1) {
                union = alternatives.getFirst();
            } else {
                union = "(?:" + String.join("|", alternatives) + ")";
            }
            if (union != null && foldCase) {
                union = "(?iu:" + union + ")";
            }
            if (!negate) {
                return union == null ? "[^\\x{0}-\\x{10FFFF}]" : union;
            }
            if (union == null) {
                return ANY_CHAR;
            }
            if (negated.isEmpty() && !foldCase) {
                return "[^" + members + "]";
            }
            return "(?:(?!" + union + ")" + ANY_CHAR + ")";
        }

        private Leaf literal(int cp) {
            String java = hex(cp);
            boolean alnum = (cp >= '0' && cp <= '9') || (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z');
            if (alnum) {
                java = String.valueOf((char) cp);
            }
            return new Leaf(foldCase && Character.toLowerCase(cp) != Character.toUpperCase(cp) ? "(?iu:" + java + ")" : java);
        }

        private static String hex(int cp) {
            return "\\x{" + Integer.toHexString(cp) + "}";
        }
    }
}
