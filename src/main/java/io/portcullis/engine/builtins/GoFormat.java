package io.portcullis.engine.builtins;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Go's fmt.Sprintf for the argument types OPA's sprintf hands it: {@link String} (Go string), {@link Long}
 * (int64), {@link BigInteger} (*big.Int, which formats itself) and {@link Double} (float64). A port of the
 * format-string walk in Go's fmt/print.go and the padding rules in fmt/format.go, including Go's error
 * notation in the output ({@code %!d(string=hi)}, {@code %!v(MISSING)}, {@code %!(EXTRA string=x)},
 * {@code %!(NOVERB)}, {@code %!(BADWIDTH)}, {@code %!(BADPREC)}, {@code %!d(BADINDEX)}).
 *
 * <p>Differences: %p of a *big.Int prints a memory address in Go and {@code %!p(*big.Int=&{false [N]})} here;
 * width and precision are ignored inside the struct Go prints for a big integer under %w.
 */
final class GoFormat {
    private static final String LDIGITS = "0123456789abcdefx";
    private static final String UDIGITS = "0123456789ABCDEFX";
    private static final int TOO_LARGE = 1_000_000;

    private final StringBuilder buf = new StringBuilder();
    private final String format;
    private final List<Object> args;

    // fmt.fmtFlags, fmt.wid, fmt.prec
    private boolean widPresent;
    private boolean precPresent;
    private boolean minus;
    private boolean plus;
    private boolean sharp;
    private boolean space;
    private boolean zero;
    private boolean plusV;
    private boolean sharpV;
    private int wid;
    private int prec;

    // pp state
    private Object arg;
    private boolean erroring;
    private boolean goodArgNum;
    private boolean reordered;

    private GoFormat(String format, List<Object> args) {
        this.format = format;
        this.args = args;
    }

    static String sprintf(String format, List<Object> args) {
        for (Object a : args) {
            if (!(a instanceof String || a instanceof Long || a instanceof BigInteger || a instanceof Double)) {
                throw new IllegalArgumentException("unsupported Go argument type " + a.getClass());
            }
        }
        GoFormat p = new GoFormat(format, args);
        p.doPrintf();
        return p.buf.toString();
    }

    private void clearFlags() {
        widPresent = precPresent = minus = plus = sharp = space = zero = plusV = sharpV = false;
        wid = 0;
        prec = 0;
    }

    // ---- print.go: the format walk

    private void doPrintf() {
        int end = format.length();
        int argNum = 0;
        boolean afterIndex;
        reordered = false;
        formatLoop:
        for (int i = 0; i < end; ) {
            goodArgNum = true;
            int lasti = i;
            while (i < end && format.charAt(i) != '%') {
                i++;
            }
            if (i > lasti) {
                buf.append(format, lasti, i);
            }
            if (i >= end) {
                break;
            }
            i++; // skip %

            clearFlags();
            simpleFormat:
            for (; i < end; i++) {
                char c = format.charAt(i);
                switch (c) {
                    case '#' -> sharp = true;
                    case '0' -> zero = true;
                    case '+' -> plus = true;
                    case '-' -> minus = true;
                    case ' ' -> space = true;
                    default -> {
                        // Fast path: a lower case verb right after the flags.
                        if ('a' <= c && c <= 'z' && argNum < args.size()) {
                            if (c == 'v' || c == 'w') {
                                sharpV = sharp;
                                sharp = false;
                                plusV = plus;
                                plus = false;
                            }
                            printArg(args.get(argNum), c);
                            argNum++;
                            i++;
                            continue formatLoop;
                        }
                        break simpleFormat;
                    }
                }
            }

            // Explicit argument index?
            int[] an = argNumber(argNum, i);
            argNum = an[0];
            i = an[1];
            afterIndex = an[2] != 0;

            // Width
            if (i < end && format.charAt(i) == '*') {
                i++;
                int[] w = intFromArg(argNum);
                wid = w[0];
                widPresent = w[1] != 0;
                argNum = w[2];
                if (!widPresent) {
                    buf.append("%!(BADWIDTH)");
                }
                if (wid < 0) {
                    wid = -wid;
                    minus = true;
                    zero = false;
                }
                afterIndex = false;
            } else {
                int[] n = parsenum(i, end);
                wid = n[0];
                widPresent = n[1] != 0;
                i = n[2];
                if (afterIndex && widPresent) {
                    goodArgNum = false;
                }
            }

            // Precision
            if (i + 1 < end && format.charAt(i) == '.') {
                i++;
                if (afterIndex) {
                    goodArgNum = false;
                }
                an = argNumber(argNum, i);
                argNum = an[0];
                i = an[1];
                afterIndex = an[2] != 0;
                if (i < end && format.charAt(i) == '*') {
                    i++;
                    int[] p = intFromArg(argNum);
                    prec = p[0];
                    precPresent = p[1] != 0;
                    argNum = p[2];
                    if (prec < 0) {
                        prec = 0;
                        precPresent = false;
                    }
                    if (!precPresent) {
                        buf.append("%!(BADPREC)");
                    }
                    afterIndex = false;
                } else {
                    int[] n = parsenum(i, end);
                    prec = n[0];
                    precPresent = n[1] != 0;
                    i = n[2];
                    if (!precPresent) {
                        prec = 0;
                        precPresent = true;
                    }
                }
            }

            if (!afterIndex) {
                an = argNumber(argNum, i);
                argNum = an[0];
                i = an[1];
                afterIndex = an[2] != 0;
            }

            if (i >= end) {
                buf.append("%!(NOVERB)");
                break;
            }

            int verb = format.codePointAt(i);
            i += Character.charCount(verb);

            if (verb == '%') {
                buf.append('%'); // does not use an argument, ignores width and precision
            } else if (!goodArgNum) {
                buf.append("%!").appendCodePoint(verb).append("(BADINDEX)");
            } else if (argNum >= args.size()) {
                buf.append("%!").appendCodePoint(verb).append("(MISSING)");
            } else {
                if (verb == 'v' || verb == 'w') {
                    sharpV = sharp;
                    sharp = false;
                    plusV = plus;
                    plus = false;
                }
                printArg(args.get(argNum), verb);
                argNum++;
            }
        }

        // Extra arguments, unless the format used explicit indexes.
        if (!reordered && argNum < args.size()) {
            clearFlags();
            buf.append("%!(EXTRA ");
            for (int k = argNum; k < args.size(); k++) {
                if (k > argNum) {
                    buf.append(", ");
                }
                Object a = args.get(k);
                buf.append(typeString(a)).append('=');
                printArg(a, 'v');
            }
            buf.append(')');
        }
    }

    /** parsenum: returns {num, isnum, newi}. A number that grows too large swallows the rest of the format. */
    private int[] parsenum(int start, int end) {
        if (start >= end) {
            return new int[] {0, 0, end};
        }
        int num = 0;
        boolean isnum = false;
        int newi = start;
        for (; newi < end && '0' <= format.charAt(newi) && format.charAt(newi) <= '9'; newi++) {
            if (tooLarge(num)) {
                return new int[] {0, 0, end};
            }
            num = num * 10 + (format.charAt(newi) - '0');
            isnum = true;
        }
        return new int[] {num, isnum ? 1 : 0, newi};
    }

    private static boolean tooLarge(long x) {
        return x > TOO_LARGE || x < -TOO_LARGE;
    }

    /** argNumber: returns {argNum, i, found}. */
    private int[] argNumber(int argNum, int i) {
        if (format.length() <= i || format.charAt(i) != '[') {
            return new int[] {argNum, i, 0};
        }
        reordered = true;
        // parseArgNumber on format[i:]
        int index = 0;
        int wid = 1;
        boolean ok = false;
        String rest = format.substring(i);
        if (rest.length() >= 3) {
            for (int k = 1; k < rest.length(); k++) {
                if (rest.charAt(k) == ']') {
                    int num = 0;
                    boolean isnum = false;
                    int newi = 1;
                    boolean overflow = false;
                    for (; newi < k && '0' <= rest.charAt(newi) && rest.charAt(newi) <= '9'; newi++) {
                        if (tooLarge(num)) {
                            overflow = true;
                            break;
                        }
                        num = num * 10 + (rest.charAt(newi) - '0');
                        isnum = true;
                    }
                    if (overflow || !isnum || newi != k) {
                        index = 0;
                        wid = k + 1;
                        ok = false;
                    } else {
                        index = num - 1;
                        wid = k + 1;
                        ok = true;
                    }
                    break;
                }
            }
        }
        if (ok && 0 <= index && index < args.size()) {
            return new int[] {index, i + wid, 1};
        }
        goodArgNum = false;
        return new int[] {argNum, i + wid, ok ? 1 : 0};
    }

    /** intFromArg: returns {num, isInt, newArgNum}. Only int64 arguments are integers. */
    private int[] intFromArg(int argNum) {
        int newArgNum = argNum;
        int num = 0;
        boolean isInt = false;
        if (argNum < args.size()) {
            if (args.get(argNum) instanceof Long l) {
                if (tooLarge(l)) {
                    num = 0;
                } else {
                    num = (int) (long) l;
                    isInt = true;
                }
            }
            newArgNum = argNum + 1;
        }
        return new int[] {num, isInt ? 1 : 0, newArgNum};
    }

    private static String typeString(Object a) {
        return switch (a) {
            case String s -> "string";
            case Long l -> "int64";
            case Double d -> "float64";
            case BigInteger b -> "*big.Int";
            default -> throw new IllegalStateException();
        };
    }

    private void printArg(Object a, int verb) {
        this.arg = a;
        if (verb == 'T') {
            fmtS(typeString(a));
            return;
        }
        if (verb == 'p') {
            badVerb(verb);
            return;
        }
        switch (a) {
            case Double d -> fmtFloat(d, verb);
            case Long l -> fmtInteger(l, verb);
            case String s -> fmtString(s, verb);
            case BigInteger b -> printBigInt(b, verb);
            default -> throw new IllegalStateException();
        }
    }

    private void badVerb(int verb) {
        erroring = true;
        buf.append("%!").appendCodePoint(verb).append('(');
        buf.append(typeString(arg)).append('=');
        printArg(arg, 'v');
        buf.append(')');
        erroring = false;
    }

    /**
     * A *big.Int implements fmt.Formatter. While an error is being printed (only %w reaches that) fmt skips the
     * Formatter and prints the struct behind the pointer by reflection: &{false [words]}, with field names for %+w
     * and Go syntax for %#w.
     */
    private void printBigInt(BigInteger b, int verb) {
        if (erroring) {
            List<String> words = new java.util.ArrayList<>();
            BigInteger abs = b.abs();
            BigInteger mask = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
            while (abs.signum() != 0) {
                words.add(sharpV ? "0x" + abs.and(mask).toString(16) : abs.and(mask).toString());
                abs = abs.shiftRight(64);
            }
            boolean neg = b.signum() < 0;
            if (sharpV) {
                buf.append("&big.Int{neg:").append(neg).append(", abs:big.nat");
                buf.append(words.isEmpty() ? "(nil)" : "{" + String.join(", ", words) + "}").append('}');
            } else if (plusV) {
                buf.append("&{neg:").append(neg).append(" abs:[").append(String.join(" ", words)).append("]}");
            } else {
                buf.append("&{").append(neg).append(" [").append(String.join(" ", words)).append("]}");
            }
            return;
        }
        if (verb == 'w') {
            badVerb(verb);
            return;
        }
        new BigIntFormat(b, verb).write();
    }

    private void fmtInteger(long v, int verb) {
        switch (verb) {
            case 'v', 'd' -> fmtInteger(v, 10, verb, LDIGITS);
            case 'b' -> fmtInteger(v, 2, verb, LDIGITS);
            case 'o', 'O' -> fmtInteger(v, 8, verb, LDIGITS);
            case 'x' -> fmtInteger(v, 16, verb, LDIGITS);
            case 'X' -> fmtInteger(v, 16, verb, UDIGITS);
            case 'c' -> fmtC(v);
            case 'q' -> fmtQc(v);
            case 'U' -> fmtUnicode(v);
            default -> badVerb(verb);
        }
    }

    private void fmtFloat(double v, int verb) {
        switch (verb) {
            case 'v' -> fmtFloat(v, 'g', -1);
            case 'b', 'g', 'G', 'x', 'X' -> fmtFloat(v, (char) verb, -1);
            case 'f', 'e', 'E' -> fmtFloat(v, (char) verb, 6);
            case 'F' -> fmtFloat(v, 'f', 6);
            default -> badVerb(verb);
        }
    }

    private void fmtString(String v, int verb) {
        switch (verb) {
            case 'v' -> {
                if (sharpV) {
                    fmtQ(v);
                } else {
                    fmtS(v);
                }
            }
            case 's' -> fmtS(v);
            case 'x' -> fmtSx(v, LDIGITS);
            case 'X' -> fmtSx(v, UDIGITS);
            case 'q' -> fmtQ(v);
            default -> badVerb(verb);
        }
    }

    // ---- format.go: padding and the per-type formatters

    private void writePadding(int n) {
        if (n <= 0) {
            return;
        }
        char padByte = zero && !minus ? '0' : ' ';
        buf.repeat(padByte, n);
    }

    private void pad(String s) {
        if (!widPresent || wid == 0) {
            buf.append(s);
            return;
        }
        int width = wid - s.codePointCount(0, s.length());
        if (!minus) {
            writePadding(width);
            buf.append(s);
        } else {
            buf.append(s);
            writePadding(width);
        }
    }

    private void fmtUnicode(long v) {
        int precision = 4;
        if (precPresent && prec > 4) {
            precision = prec;
        }
        StringBuilder hex = new StringBuilder(Long.toUnsignedString(v, 16).toUpperCase());
        while (hex.length() < precision) {
            hex.insert(0, '0');
        }
        StringBuilder out = new StringBuilder("U+").append(hex);
        if (sharp && Long.compareUnsigned(v, GoQuote.MAX_RUNE) <= 0 && GoQuote.isPrint((int) v)) {
            out.append(" '").appendCodePoint((int) v).append('\'');
        }
        boolean oldZero = zero;
        zero = false;
        pad(out.toString());
        zero = oldZero;
    }

    private void fmtInteger(long value, int base, int verb, String digits) {
        boolean negative = value < 0;
        BigInteger u = BigInteger.valueOf(value).abs();

        int precision = 0;
        if (precPresent) {
            precision = prec;
            if (precision == 0 && value == 0) {
                boolean oldZero = zero;
                zero = false;
                writePadding(wid);
                zero = oldZero;
                return;
            }
        } else if (zero && !minus && widPresent) {
            precision = wid;
            if (negative || plus || space) {
                precision--;
            }
        }

        StringBuilder out = new StringBuilder(u.toString(base));
        if (digits == UDIGITS) {
            out = new StringBuilder(out.toString().toUpperCase());
        }
        while (out.length() < precision) {
            out.insert(0, '0');
        }
        if (sharp) {
            switch (base) {
                case 2 -> out.insert(0, "0b");
                case 8 -> {
                    if (out.charAt(0) != '0') {
                        out.insert(0, '0');
                    }
                }
                case 16 -> out.insert(0, "0" + digits.charAt(16));
                default -> {}
            }
        }
        if (verb == 'O') {
            out.insert(0, "0o");
        }
        if (negative) {
            out.insert(0, '-');
        } else if (plus) {
            out.insert(0, '+');
        } else if (space) {
            out.insert(0, ' ');
        }
        boolean oldZero = zero;
        zero = false;
        pad(out.toString());
        zero = oldZero;
    }

    private String truncate(String s) {
        if (precPresent) {
            int n = prec;
            for (int i = 0; i < s.length(); ) {
                n--;
                if (n < 0) {
                    return s.substring(0, i);
                }
                i += Character.charCount(s.codePointAt(i));
            }
        }
        return s;
    }

    private void fmtS(String s) {
        pad(truncate(s));
    }

    private void fmtSx(String s, String digits) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        int length = b.length;
        if (precPresent && prec < length) {
            length = prec;
        }
        int width = 2 * length;
        if (width > 0) {
            if (space) {
                if (sharp) {
                    width *= 2;
                }
                width += length - 1;
            } else if (sharp) {
                width += 2;
            }
        } else {
            if (widPresent) {
                writePadding(wid);
            }
            return;
        }
        if (widPresent && wid > width && !minus) {
            writePadding(wid - width);
        }
        if (sharp) {
            buf.append('0').append(digits.charAt(16));
        }
        for (int i = 0; i < length; i++) {
            if (space && i > 0) {
                buf.append(' ');
                if (sharp) {
                    buf.append('0').append(digits.charAt(16));
                }
            }
            int c = b[i] & 0xFF;
            buf.append(digits.charAt(c >> 4)).append(digits.charAt(c & 0xF));
        }
        if (widPresent && wid > width && minus) {
            writePadding(wid - width);
        }
    }

    private void fmtQ(String s) {
        s = truncate(s);
        if (sharp && GoQuote.canBackquote(s)) {
            pad("`" + s + "`");
            return;
        }
        pad(GoQuote.quote(s, plus));
    }

    private void fmtC(long c) {
        int r = Long.compareUnsigned(c, GoQuote.MAX_RUNE) > 0 || !GoQuote.isValidRune(c) ? GoQuote.RUNE_ERROR : (int) c;
        pad(new StringBuilder().appendCodePoint(r).toString());
    }

    private void fmtQc(long c) {
        long r = Long.compareUnsigned(c, GoQuote.MAX_RUNE) > 0 ? GoQuote.RUNE_ERROR : c;
        pad(GoQuote.quoteRune(r, plus));
    }

    private void fmtFloat(double v, char verb, int precision) {
        if (precPresent) {
            precision = prec;
        }
        StringBuilder num = new StringBuilder(GoFloat.format(v, verb, precision));
        // Reserve num[0] for the sign.
        if (num.charAt(0) != '-' && num.charAt(0) != '+') {
            num.insert(0, '+');
        }
        if (space && num.charAt(0) == '+' && !plus) {
            num.setCharAt(0, ' ');
        }
        // Infinities and NaN are not padded with zeros.
        if (num.charAt(1) == 'I' || num.charAt(1) == 'N') {
            boolean oldZero = zero;
            zero = false;
            if (num.charAt(1) == 'N' && !space && !plus) {
                num.deleteCharAt(0);
            }
            pad(num.toString());
            zero = oldZero;
            return;
        }
        // # forces a decimal point and keeps trailing zeros.
        if (sharp && verb != 'b') {
            int digits = 0;
            if (verb == 'v' || verb == 'g' || verb == 'G' || verb == 'x') {
                digits = precision;
                if (digits == -1) {
                    digits = 6;
                }
            }
            String tail = "";
            boolean hasDecimalPoint = false;
            boolean sawNonzeroDigit = false;
            for (int i = 1; i < num.length(); i++) {
                char ch = num.charAt(i);
                if (ch == '.') {
                    hasDecimalPoint = true;
                    continue;
                }
                if (ch == 'p' || ch == 'P' || ((ch == 'e' || ch == 'E') && verb != 'x' && verb != 'X')) {
                    tail = num.substring(i);
                    num.setLength(i);
                    break;
                }
                if (ch != '0') {
                    sawNonzeroDigit = true;
                }
                if (sawNonzeroDigit) {
                    digits--;
                }
            }
            if (!hasDecimalPoint) {
                if (num.length() == 2 && num.charAt(1) == '0') {
                    digits--;
                }
                num.append('.');
            }
            while (digits > 0) {
                num.append('0');
                digits--;
            }
            num.append(tail);
        }
        if (plus || num.charAt(0) != '+') {
            if (zero && !minus && widPresent && wid > num.length()) {
                buf.append(num.charAt(0));
                writePadding(wid - num.length());
                buf.append(num, 1, num.length());
                return;
            }
            pad(num.toString());
            return;
        }
        pad(num.substring(1));
    }

    /** math/big's (*Int).Format, which writes to the output directly rather than through fmt's padding. */
    private final class BigIntFormat {
        private final BigInteger x;
        private final int ch;

        BigIntFormat(BigInteger x, int ch) {
            this.x = x;
            this.ch = ch;
        }

        void write() {
            int base;
            switch (ch) {
                case 'b' -> base = 2;
                case 'o', 'O' -> base = 8;
                case 'd', 's', 'v' -> base = 10;
                case 'x', 'X' -> base = 16;
                default -> {
                    buf.append("%!").appendCodePoint(ch).append("(big.Int=").append(x).append(')');
                    return;
                }
            }
            // fmt.State flags: %+v and %#v count as + and #.
            boolean flagPlus = plus || plusV;
            boolean flagSharp = sharp || sharpV;
            String sign = x.signum() < 0 ? "-" : flagPlus ? "+" : space ? " " : "";
            String prefix = "";
            if (flagSharp) {
                prefix = switch (ch) {
                    case 'b' -> "0b";
                    case 'o' -> "0";
                    case 'x' -> "0x";
                    case 'X' -> "0X";
                    default -> "";
                };
            }
            if (ch == 'O') {
                prefix = "0o";
            }
            String digits = x.abs().toString(base);
            if (ch == 'X') {
                digits = digits.toUpperCase();
            }
            int left = 0;
            int zeros = 0;
            int right = 0;
            if (precPresent) {
                if (digits.length() < prec) {
                    zeros = prec - digits.length();
                } else if (digits.equals("0") && prec == 0) {
                    return;
                }
            }
            int length = sign.length() + prefix.length() + zeros + digits.length();
            if (widPresent && length < wid) {
                int d = wid - length;
                if (minus) {
                    right = d;
                } else if (zero && !precPresent) {
                    zeros = d;
                } else {
                    left = d;
                }
            }
            buf.repeat(' ', left).append(sign).append(prefix).repeat('0', zeros).append(digits).repeat(' ', right);
        }
    }
}
