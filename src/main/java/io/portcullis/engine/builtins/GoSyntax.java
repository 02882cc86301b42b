package io.portcullis.engine.builtins;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Rewrites the two things Go's regexp syntax (Go 1.26, which builds our OPA) accepts and RE2/J 1.8 does not:
 * <ul>
 *   <li>Unicode classes by Go's lookup ({@code \p{lu}}, {@code \p{Letter}}, {@code \p{Assigned}}, scripts newer
 *       than Unicode 6.0): each {@code \p}/{@code \P} becomes its explicit code point ranges from
 *       {@link UnicodeClasses};</li>
 *   <li>capture groups sharing a name ({@code (?P<n>x)|(?P<n>a)}): the second and later get unique names, and
 *       {@link Translation#groupNames()} keeps the names as written, for {@code ${n}} expansion.</li>
 * </ul>
 * Under (?i) it also keeps from RE2/J the few characters whose case folding would never end there (see
 * {@link #UNFOLDABLE_LO}). Everything else passes through unchanged, errors included, for RE2/J to report in Go's
 * words. The scan knows just enough of the syntax for this: escapes, {@code \Q...\E}, character classes with
 * {@code [:name:]}, groups, and where the case-folding flag (?i) is in force.
 */
final class GoSyntax {
    /**
     * RE2/J 1.8 folds case with its Unicode 6.0 orbit table and the JDK's newer case mappings; for the Cyrillic
     * letter variants U+1C80..U+1C88 (Unicode 9) the two disagree and its folding loop never ends. Under (?i)
     * these characters never reach RE2/J.
     */
    private static final int UNFOLDABLE_LO = 0x1C80;
    private static final int UNFOLDABLE_HI = 0x1C88;

    private final String expr;
    private final StringBuilder out = new StringBuilder();
    private final List<String> names = new ArrayList<>(List.of(""));
    private final Set<String> seenNames = new HashSet<>();
    /** Whether (?i) is in force, per open group; the top is the innermost. */
    private final Deque<Boolean> fold = new ArrayDeque<>(List.of(false));
    private int pos;

    private GoSyntax(String expr) {
        this.expr = expr;
    }

    /** The pattern for RE2/J and the group names as Go reports them. */
    record Translation(String pattern, List<String> groupNames) {}

    static Translation translate(String expr) throws GoRegex.SyntaxError {
        GoSyntax s = new GoSyntax(expr);
        s.run();
        return new Translation(s.out.toString(), List.copyOf(s.names));
    }

    private void run() throws GoRegex.SyntaxError {
        while (pos < expr.length()) {
            char c = expr.charAt(pos);
            if (c == '\\') {
                escapeOutsideClass();
            } else if (c == '[') {
                charClass();
            } else if (c == '(') {
                openGroup();
            } else if (c == ')') {
                if (fold.size() > 1) {
                    fold.pop();
                }
                copy(1);
            } else {
                literalOutsideClass();
            }
        }
    }

    private void escapeOutsideClass() throws GoRegex.SyntaxError {
        if (expr.startsWith("\\Q", pos)) {
            quoted();
        } else if (!unicodeClass(false)) {
            literalOutsideClass();
        }
    }

    /** A character (or escape) outside a class: copied, but for one RE2/J cannot fold, which it gets folded. */
    private void literalOutsideClass() {
        int[] literal = literalAt(pos);
        if (literal != null && fold.peek() && unfoldable(literal[0], literal[0])) {
            out.append("(?-i:[");
            appendRanges(UnicodeClasses.foldOrbit(literal[0]));
            out.append("])");
            pos = literal[1];
        } else if (expr.charAt(pos) == '\\') {
            copyEscape();
        } else {
            copy(Character.charCount(expr.codePointAt(pos)));
        }
    }

    /** \Q...\E: literal text, copied, but for characters RE2/J cannot fold. */
    private void quoted() {
        int end = expr.indexOf("\\E", pos + 2);
        int textEnd = end < 0 ? expr.length() : end;
        String text = expr.substring(pos + 2, textEnd);
        if (!fold.peek() || text.codePoints().noneMatch(cp -> unfoldable(cp, cp))) {
            copy((end < 0 ? expr.length() : end + 2) - pos);
            return;
        }
        text.codePoints().forEach(cp -> {
            if (unfoldable(cp, cp)) {
                out.append("(?-i:[");
                appendRanges(UnicodeClasses.foldOrbit(cp));
                out.append("])");
            } else {
                out.append("\\Q").appendCodePoint(cp).append("\\E");
            }
        });
        pos = end < 0 ? expr.length() : end + 2;
    }

    /** [...]: copied, but for \p classes; a ] right after [ or [^ is a member, [:name:] is one token. */
    private void charClass() throws GoRegex.SyntaxError {
        copy(1);
        if (pos < expr.length() && expr.charAt(pos) == '^') {
            copy(1);
        }
        if (pos < expr.length() && expr.charAt(pos) == ']') {
            copy(1);
        }
        while (pos < expr.length() && expr.charAt(pos) != ']') {
            if (expr.startsWith("[:", pos) && expr.indexOf(":]", pos + 2) >= 0) {
                copy(expr.indexOf(":]", pos + 2) + 2 - pos);
            } else if (!unicodeClass(true)) {
                classRange();
            }
        }
        if (pos < expr.length()) {
            copy(1);
        }
    }

    /**
     * A character or range in a class: copied, but under (?i) without the characters RE2/J cannot fold, which
     * are replaced by the rest of their case orbit. So (?i)[ᲀ] matches в and В but, unlike Go, not ᲀ itself.
     */
    private void classRange() {
        int start = pos;
        int[] lo = literalAt(pos);
        if (lo == null) {
            copyEscape();
            return;
        }
        int[] hi = lo;
        if (lo[1] + 1 < expr.length() && expr.charAt(lo[1]) == '-' && expr.charAt(lo[1] + 1) != ']') {
            int[] end = literalAt(lo[1] + 1);
            hi = end != null ? end : lo;
        }
        if (!fold.peek() || !unfoldable(lo[0], hi[0]) || hi[0] < lo[0]) {
            pos = hi[1];
            out.append(expr, start, pos);
            return;
        }
        BitSet members = new BitSet();
        members.set(lo[0], hi[0] + 1);
        for (int cp = Math.max(lo[0], UNFOLDABLE_LO); cp <= Math.min(hi[0], UNFOLDABLE_HI); cp++) {
            members.or(UnicodeClasses.foldOrbit(cp));
        }
        members.clear(UNFOLDABLE_LO, UNFOLDABLE_HI + 1);
        appendRanges(members);
        pos = hi[1];
    }

    /** Whether lo..hi holds a character whose case folding never ends in RE2/J 1.8 (see UNFOLDABLE_LO). */
    private static boolean unfoldable(int lo, int hi) {
        return lo <= UNFOLDABLE_HI && hi >= UNFOLDABLE_LO;
    }

    /**
     * The character at p, raw or escaped ({@code \x41}, {@code \x{1C80}}, {@code \.}, {@code \n}), and the
     * position after it; null for an escape that is not one character ({@code \d}, {@code \b}, octal, ...).
     */
    private int[] literalAt(int p) {
        if (expr.charAt(p) != '\\') {
            int cp = expr.codePointAt(p);
            return new int[] {cp, p + Character.charCount(cp)};
        }
        if (p + 1 >= expr.length()) {
            return null;
        }
        char c = expr.charAt(p + 1);
        if (c == 'x' && p + 2 < expr.length() && expr.charAt(p + 2) == '{') {
            int close = expr.indexOf('}', p);
            return close < 0 ? null : hex(expr.substring(p + 3, close), close + 1);
        }
        if (c == 'x') {
            return p + 4 <= expr.length() ? hex(expr.substring(p + 2, p + 4), p + 4) : null;
        }
        int control = "aftnrv".indexOf(c);
        if (control >= 0) {
            return new int[] {"\u0007\f\t\n\r\u000b".charAt(control), p + 2};
        }
        boolean punctuation = c < 0x80 && !Character.isLetterOrDigit(c) && c != '_';
        return punctuation ? new int[] {c, p + 2} : null;
    }

    private static int[] hex(String digits, int end) {
        try {
            int cp = Integer.parseInt(digits, 16);
            return digits.isEmpty() || digits.startsWith("+") || cp > Character.MAX_CODE_POINT ? null : new int[] {cp, end};
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** ( starts a capture, a named capture, a flag group (?i:...) or sets flags (?i). */
    private void openGroup() {
        if (!expr.startsWith("(?", pos)) {
            names.add("");
            fold.push(fold.peek());
            copy(1);
            return;
        }
        int nameStart = expr.startsWith("(?P<", pos) ? pos + 4 : expr.startsWith("(?<", pos) ? pos + 3 : -1;
        if (nameStart >= 0) {
            int end = expr.indexOf('>', nameStart);
            if (end < 0) {
                copy(expr.length() - pos); // Go's "invalid named capture", from RE2/J
                return;
            }
            String name = expr.substring(nameStart, end);
            names.add(name);
            fold.push(fold.peek());
            // Go allows a name twice, RE2/J does not: give the repeats names of their own.
            out.append(expr, pos, nameStart).append(seenNames.add(name) ? name : uniqueName()).append('>');
            pos = end + 1;
            return;
        }
        // Flags: (?flags) or (?flags:...), flags like i, -i, s-m; anything else is RE2/J's to reject.
        int i = pos + 2;
        boolean foldCase = fold.peek();
        boolean negate = false;
        while (i < expr.length() && "imsU-".indexOf(expr.charAt(i)) >= 0) {
            char f = expr.charAt(i++);
            if (f == '-') {
                negate = true;
            } else if (f == 'i') {
                foldCase = !negate;
            }
        }
        if (i < expr.length() && expr.charAt(i) == ')') {
            fold.pop();
            fold.push(foldCase);
            copy(i + 1 - pos); // the ) closes nothing
        } else if (i < expr.length() && expr.charAt(i) == ':') {
            fold.push(foldCase);
            copy(i + 1 - pos);
        } else {
            fold.push(fold.peek());
            copy(2);
        }
    }

    private String uniqueName() {
        int n = names.size();
        String name;
        do {
            name = "portcullis_duplicate_" + n++;
        } while (expr.contains(name) || !seenNames.add(name));
        return name;
    }

    /**
     * \pL, \p{Greek}, \P{...}, \p{^...} at pos: replaced by its ranges (inside a class) or a class of them; false
     * when pos is not at one. Go folds case into \p before negating it, so under (?i) \P is the complement of
     * the folded class.
     */
    private boolean unicodeClass(boolean inClass) throws GoRegex.SyntaxError {
        if (pos + 1 >= expr.length() || (expr.charAt(pos + 1) != 'p' && expr.charAt(pos + 1) != 'P')) {
            return false;
        }
        int start = pos;
        boolean positive = expr.charAt(pos + 1) == 'p';
        if (pos + 2 >= expr.length()) {
            throw invalidRange(expr.substring(start));
        }
        int c = expr.codePointAt(pos + 2);
        String name;
        int end;
        if (c != '{') {
            end = pos + 2 + Character.charCount(c);
            name = expr.substring(pos + 2, end);
        } else {
            int close = expr.indexOf('}', pos);
            if (close < 0) {
                throw invalidRange(expr.substring(start));
            }
            end = close + 1;
            name = expr.substring(pos + 3, close);
        }
        if (name.startsWith("^")) {
            positive = !positive;
            name = name.substring(1);
        }
        BitSet members = UnicodeClasses.named(name, fold.peek());
        if (members == null) {
            throw invalidRange(expr.substring(start, end));
        }
        pos = end;
        if (inClass) {
            BitSet set = (BitSet) members.clone();
            if (!positive) {
                set.flip(0, Character.MAX_CODE_POINT + 1);
            }
            if (fold.peek()) {
                set.clear(UNFOLDABLE_LO, UNFOLDABLE_HI + 1); // see classRange
            }
            appendRanges(set);
        } else {
            // Already folded: RE2/J need not fold it again (and could not fold all of it, see UNFOLDABLE_LO).
            out.append(fold.peek() ? "(?-i:" : "(?:").append(positive ? "[" : "[^");
            appendRanges(members);
            out.append("])");
        }
        return true;
    }

    /** lo-hi ranges of the set, without surrogates (no Java string holds a lone one as a code point). */
    private void appendRanges(BitSet set) {
        int before = out.length();
        for (int lo = set.nextSetBit(0); lo >= 0; ) {
            int hi = set.nextClearBit(lo) - 1;
            appendRange(lo, Math.min(hi, Character.MIN_SURROGATE - 1));
            appendRange(Math.max(lo, Character.MAX_SURROGATE + 1), hi);
            lo = set.nextSetBit(hi + 1);
        }
        if (out.length() == before) {
            out.append("\\P{Any}"); // the empty class, which RE2/J knows by this name
        }
    }

    private void appendRange(int lo, int hi) {
        if (lo > hi) {
            return;
        }
        // Always lo-hi, even for one code point: a - written after the class stays a literal, as in Go.
        out.append("\\x{").append(Integer.toHexString(lo)).append("}-\\x{").append(Integer.toHexString(hi)).append('}');
    }

    private GoRegex.SyntaxError invalidRange(String seq) {
        return new GoRegex.SyntaxError("error parsing regexp: invalid character class range: `" + seq + "`");
    }

    /** A backslash and the code point after it (or a trailing backslash, for RE2/J to reject). */
    private void copyEscape() {
        if (pos + 1 >= expr.length()) {
            copy(1);
            return;
        }
        copy(1 + Character.charCount(expr.codePointAt(pos + 1)));
    }

    private void copy(int n) {
        out.append(expr, pos, pos + n);
        pos += n;
    }
}
