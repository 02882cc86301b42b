package com.google.re2j;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The limits Go's regexp parser puts on a pattern and RE2/J 1.8's parser does not: nested repeats of at most
 * 1000 copies ({@code (a{500}){3}} is "invalid repeat count"), a parse tree at most 1000 deep ("expression nests
 * too deeply", which also keeps RE2/J's recursive simplifier and compiler off the end of the stack) and a
 * program of at most 128 MiB of instructions ("expression too large", which keeps a short pattern such as
 * {@code ((a{1000}){1000}){1000}}... from filling the heap). Ported from Go's regexp/syntax/parse.go
 * (repeatIsValid, calcHeight, calcSize), applied to the finished tree rather than during parsing.
 *
 * <p>Part of Portcullis, not of RE2/J: it lives in RE2/J's package because the parse tree ({@link Parser},
 * {@link Regexp}) is package-private there. A newer RE2/J that changes those classes breaks this file at compile
 * time, and {@code RegexBuiltinsTest} checks each limit against OPA.
 */
public final class GoParseLimits {
    private static final int MAX_REPEAT = 1000;
    private static final int MAX_HEIGHT = 1000;
    /** Go's maxSize: 128 MiB of 40-byte instructions. */
    private static final long MAX_SIZE = (128L << 20) / 40;

    private GoParseLimits() {}

    /**
     * Go's error for a pattern over one of its limits, worded as Go ("error parsing regexp: ...: `...`"), or
     * null when it is within them (or when RE2/J cannot parse it at all: compiling it then reports why).
     *
     * @param expr the pattern to parse, in RE2/J's syntax
     * @param original the pattern as the policy wrote it, which Go quotes in its message
     */
    public static String violation(String expr, String original) {
        Regexp re;
        try {
            re = Parser.parse(expr, RE2.PERL);
        } catch (PatternSyntaxException e) {
            return null;
        }
        if (height(re, 0) > MAX_HEIGHT) {
            return message("expression nests too deeply", original);
        }
        Regexp badRepeat = firstInvalidRepeat(re);
        if (badRepeat != null) {
            return message("invalid repeat count", repeatText(badRepeat));
        }
        if (size(re, new IdentityHashMap<>()) > MAX_SIZE) {
            return message("expression too large", original);
        }
        return null;
    }

    /** A node's subexpressions; the parser leaves them null on some leaves. */
    private static Regexp[] subs(Regexp re) {
        return re.subs == null ? Regexp.EMPTY_SUBS : re.subs;
    }

    private static String message(String code, String expr) {
        return "error parsing regexp: " + code + ": `" + expr + "`";
    }

    /** The tree's height, counting no further than just past the limit so that recursion stays shallow. */
    private static int height(Regexp re, int depth) {
        if (depth > MAX_HEIGHT) {
            return 1;
        }
        int h = 1;
        for (Regexp sub : subs(re)) {
            h = Math.max(h, 1 + height(sub, depth + 1));
            if (depth + h > MAX_HEIGHT + 1) {
                break;
            }
        }
        return h;
    }

    /** The first x{n,m} (in Go's parse order: inner before outer, left to right) that Go rejects. */
    private static Regexp firstInvalidRepeat(Regexp re) {
        for (Regexp sub : subs(re)) {
            Regexp bad = firstInvalidRepeat(sub);
            if (bad != null) {
                return bad;
            }
        }
        boolean checked = re.op == Regexp.Op.REPEAT && (re.min >= 2 || re.max >= 2);
        return checked && !repeatIsValid(re, MAX_REPEAT) ? re : null;
    }

    /** Go's repeatIsValid: at most n copies of the innermost thing through all nested repeats. */
    private static boolean repeatIsValid(Regexp re, int n) {
        if (re.op == Regexp.Op.REPEAT) {
            int m = re.max;
            if (m == 0) {
                return true;
            }
            if (m < 0) {
                m = re.min;
            }
            if (m > n) {
                return false;
            }
            if (m > 0) {
                n /= m;
            }
        }
        for (Regexp sub : subs(re)) {
            if (!repeatIsValid(sub, n)) {
                return false;
            }
        }
        return true;
    }

    private static String repeatText(Regexp re) {
        if (re.max == re.min) {
            return "{" + re.min + "}";
        }
        return re.max < 0 ? "{" + re.min + ",}" : "{" + re.min + "," + re.max + "}";
    }

    /** Go's calcSize: an estimate of the compiled program's instructions. */
    private static long size(Regexp re, Map<Regexp, Long> memo) {
        Long known = memo.get(re);
        if (known != null) {
            return known;
        }
        long size = switch (re.op) {
            case LITERAL -> re.runes.length;
            case CAPTURE, STAR -> 2 + size(subs(re)[0], memo);
            case PLUS, QUEST -> 1 + size(subs(re)[0], memo);
            case CONCAT -> sum(re, memo);
            case ALTERNATE -> sum(re, memo) + Math.max(0, subs(re).length - 1);
            case REPEAT -> {
                long sub = size(subs(re)[0], memo);
                if (re.max == -1) {
                    yield re.min == 0 ? 2 + sub : 1 + re.min * sub;
                }
                yield re.max * sub + (re.max - re.min);
            }
            default -> 0;
        };
        size = Math.max(1, size);
        memo.put(re, size);
        return size;
    }

    private static long sum(Regexp re, Map<Regexp, Long> memo) {
        long total = 0;
        for (Regexp sub : subs(re)) {
            total += size(sub, memo);
        }
        return total;
    }
}
