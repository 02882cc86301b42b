package io.portcullis.engine.builtins;

import com.google.re2j.GoParseLimits;
import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.portcullis.engine.cache.LruCache;
import java.util.ArrayList;
import java.util.List;

/**
 * A Go regular expression (package regexp) on RE2/J, Google's port of RE2 to Java: the same syntax, error texts,
 * leftmost-first matching and linear running time as Go, whatever the pattern and input. This class adds what
 * Go's Regexp methods do on top of matching: which successive matches count ({@code allMatches}), Split, and the
 * {@code $1}/{@code ${name}} expansion of ReplaceAllString. {@link GoSyntax} rewrites what Go's syntax accepts and
 * RE2/J's does not (Unicode class names, repeated group names), {@link GoParseLimits} adds the size and nesting
 * limits of Go's parser.
 */
final class GoRegex {
    /** OPA caches compiled regexes too; a bounded cache keeps a stream of distinct patterns from growing it. */
    private static final LruCache<String, GoRegex> CACHE = new LruCache<>(256);

    private final String expr;
    private final Pattern pattern;
    /** Group names by group number; index 0 (the whole match) and unnamed groups are "". */
    private final String[] names;

    private GoRegex(String expr, Pattern pattern, List<String> names) {
        this.expr = expr;
        this.pattern = pattern;
        this.names = names.toArray(String[]::new);
    }

    /** Thrown for a pattern Go rejects, with Go's message ("error parsing regexp: missing closing ): `(`"). */
    static final class SyntaxError extends Exception {
        SyntaxError(String message) {
            super(message);
        }
    }

    static GoRegex compile(String expr) throws SyntaxError {
        GoRegex cached = CACHE.get(expr);
        if (cached != null) {
            return cached;
        }
        GoSyntax.Translation t = GoSyntax.translate(expr);
        String overLimit = GoParseLimits.violation(t.pattern(), expr);
        if (overLimit != null) {
            throw new SyntaxError(overLimit);
        }
        Pattern pattern;
        try {
            pattern = Pattern.compile(t.pattern());
        } catch (PatternSyntaxException e) {
            throw new SyntaxError(goMessage(e, expr));
        }
        GoRegex re = new GoRegex(expr, pattern, t.groupNames());
        CACHE.put(expr, re);
        return re;
    }

    /**
     * RE2/J words its errors as Go does ("error parsing regexp: code: `fragment`") but for two: a ) without a
     * ( (Go since 1.19: "unexpected )", with the whole pattern) and a trailing backslash (Go quotes an empty
     * fragment). A fragment RE2/J quotes is its own input, which is Go's except inside a rewritten \p class.
     */
    private static String goMessage(PatternSyntaxException e, String expr) {
        String code = e.getDescription();
        String fragment = e.getPattern() == null ? "" : e.getPattern();
        if (code.startsWith("regexp/syntax: internal error") && fragment.equals("stack underflow")) {
            code = "unexpected )";
            fragment = expr;
        }
        return "error parsing regexp: " + code + ": `" + fragment + "`";
    }

    /**
     * Go's allMatches: successive non-overlapping matches, at most n (all when n < 0), where an empty match
     * right after the previous match is skipped. Each search starts at an offset of the whole text, so {@code ^}
     * and {@code \b} see what precedes it. Each match is its group offsets {start0, end0, start1, ...}, -1 for a
     * group that did not take part.
     */
    List<int[]> findAll(String s, int n) {
        int limit = n < 0 ? Integer.MAX_VALUE : n;
        List<int[]> out = new ArrayList<>();
        Matcher m = pattern.matcher(s);
        int end = s.length();
        int prevMatchEnd = -1;
        for (int pos = 0; out.size() < limit && pos <= end; ) {
            if (!m.find(pos)) {
                break;
            }
            boolean accept = true;
            if (m.end() == pos) {
                // An empty match: not allowed right after a previous match; move on one rune.
                if (m.start() == prevMatchEnd) {
                    accept = false;
                }
                pos = pos < end ? pos + Character.charCount(s.codePointAt(pos)) : end + 1;
            } else {
                pos = m.end();
            }
            prevMatchEnd = m.end();
            if (accept) {
                int[] groups = new int[2 * (pattern.groupCount() + 1)];
                for (int g = 0; g <= pattern.groupCount(); g++) {
                    groups[2 * g] = m.start(g);
                    groups[2 * g + 1] = m.end(g);
                }
                out.add(groups);
            }
        }
        return out;
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

    /**
     * Every match replaced by the template expanded as Go's Regexp.Expand does ($1, ${1}, $name, ${name}, $$),
     * over the matches of {@link #findAll}: OPA's regex.replace (with a cancellable evaluation, as OPA's own
     * evaluator and Gatekeeper run it) expands FindAllSubmatchIndex rather than calling ReplaceAllString.
     */
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
            // Go's extract: a name of letters, digits and _, optionally in braces.
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
                for (int g = 0; g < names.length && 2 * g + 1 < match.length; g++) {
                    if (name.equals(names[g]) && match[2 * g] >= 0) {
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
}
