package io.portcullis.engine.builtins;

import java.util.Arrays;
import java.util.BitSet;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntPredicate;

/**
 * The code points of a Go regexp Unicode class ({@code \p{Greek}}, {@code \pL}, {@code \p{lu}},
 * {@code \p{Uppercase_Letter}}, {@code \p{Any}}), found by Go's rules for the name and taken from the JDK's
 * Unicode tables (Unicode 15 on JDK 21, as Go's; 16 on JDK 25) rather than RE2/J's, which are Unicode 6.0 and
 * know only the exact category and script names.
 */
final class UnicodeClasses {
    /** Go's unicode.CategoryAliases (Go 1.25 and later), by Go's canonical name. */
    private static final Map<String, String> ALIASES = Map.ofEntries(
            Map.entry("Casedletter", "LC"), Map.entry("Closepunctuation", "Pe"), Map.entry("Combiningmark", "M"),
            Map.entry("Connectorpunctuation", "Pc"), Map.entry("Control", "Cc"), Map.entry("Currencysymbol", "Sc"),
            Map.entry("Dashpunctuation", "Pd"), Map.entry("Decimalnumber", "Nd"), Map.entry("Enclosingmark", "Me"),
            Map.entry("Finalpunctuation", "Pf"), Map.entry("Format", "Cf"), Map.entry("Initialpunctuation", "Pi"),
            Map.entry("Letter", "L"), Map.entry("Letternumber", "Nl"), Map.entry("Lineseparator", "Zl"),
            Map.entry("Lowercaseletter", "Ll"), Map.entry("Mark", "M"), Map.entry("Mathsymbol", "Sm"),
            Map.entry("Modifierletter", "Lm"), Map.entry("Modifiersymbol", "Sk"), Map.entry("Nonspacingmark", "Mn"),
            Map.entry("Number", "N"), Map.entry("Openpunctuation", "Ps"), Map.entry("Other", "C"),
            Map.entry("Otherletter", "Lo"), Map.entry("Othernumber", "No"), Map.entry("Otherpunctuation", "Po"),
            Map.entry("Othersymbol", "So"), Map.entry("Paragraphseparator", "Zp"), Map.entry("Privateuse", "Co"),
            Map.entry("Punctuation", "P"), Map.entry("Separator", "Z"), Map.entry("Spaceseparator", "Zs"),
            Map.entry("Spacingmark", "Mc"), Map.entry("Surrogate", "Cs"), Map.entry("Symbol", "S"),
            Map.entry("Titlecaseletter", "Lt"), Map.entry("Unassigned", "Cn"), Map.entry("Uppercaseletter", "Lu"),
            Map.entry("Cntrl", "Cc"), Map.entry("Digit", "Nd"), Map.entry("Punct", "P"));

    /** Java's general category numbers by Go's two-letter category names. */
    private static final Map<String, Integer> CATEGORIES = Map.ofEntries(
            Map.entry("Cc", (int) Character.CONTROL), Map.entry("Cf", (int) Character.FORMAT),
            Map.entry("Cn", (int) Character.UNASSIGNED), Map.entry("Co", (int) Character.PRIVATE_USE),
            Map.entry("Cs", (int) Character.SURROGATE), Map.entry("Ll", (int) Character.LOWERCASE_LETTER),
            Map.entry("Lm", (int) Character.MODIFIER_LETTER), Map.entry("Lo", (int) Character.OTHER_LETTER),
            Map.entry("Lt", (int) Character.TITLECASE_LETTER), Map.entry("Lu", (int) Character.UPPERCASE_LETTER),
            Map.entry("Mc", (int) Character.COMBINING_SPACING_MARK), Map.entry("Me", (int) Character.ENCLOSING_MARK),
            Map.entry("Mn", (int) Character.NON_SPACING_MARK), Map.entry("Nd", (int) Character.DECIMAL_DIGIT_NUMBER),
            Map.entry("Nl", (int) Character.LETTER_NUMBER), Map.entry("No", (int) Character.OTHER_NUMBER),
            Map.entry("Pc", (int) Character.CONNECTOR_PUNCTUATION), Map.entry("Pd", (int) Character.DASH_PUNCTUATION),
            Map.entry("Pe", (int) Character.END_PUNCTUATION), Map.entry("Pf", (int) Character.FINAL_QUOTE_PUNCTUATION),
            Map.entry("Pi", (int) Character.INITIAL_QUOTE_PUNCTUATION), Map.entry("Po", (int) Character.OTHER_PUNCTUATION),
            Map.entry("Ps", (int) Character.START_PUNCTUATION), Map.entry("Sc", (int) Character.CURRENCY_SYMBOL),
            Map.entry("Sk", (int) Character.MODIFIER_SYMBOL), Map.entry("Sm", (int) Character.MATH_SYMBOL),
            Map.entry("So", (int) Character.OTHER_SYMBOL), Map.entry("Zl", (int) Character.LINE_SEPARATOR),
            Map.entry("Zp", (int) Character.PARAGRAPH_SEPARATOR), Map.entry("Zs", (int) Character.SPACE_SEPARATOR));

    private static final Map<String, BitSet> CACHE = new ConcurrentHashMap<>();

    private UnicodeClasses() {}

    /**
     * The class's code points by Go's lookup of the name, or null for a name Go does not know. With foldCase
     * (under (?i)), closed under case folding as Go's fold tables make it: RE2/J would fold the ranges too, but
     * with its Unicode 6.0 tables, which miss the case pairs of newer scripts such as Adlam.
     */
    static BitSet named(String name, boolean foldCase) {
        String canonical = canonicalName(name);
        String key = (foldCase ? "(?i)" : "") + canonical;
        BitSet known = CACHE.get(key);
        if (known != null) {
            return known;
        }
        IntPredicate members = lookup(canonical);
        if (members == null) {
            return null;
        }
        BitSet set = new BitSet(Character.MAX_CODE_POINT + 1);
        for (int cp = 0; cp <= Character.MAX_CODE_POINT; cp++) {
            if (members.test(cp)) {
                set.set(cp);
            }
        }
        if (foldCase) {
            set = foldClosure(set);
        }
        CACHE.put(key, set);
        return set;
    }

    /** Go's unicodeTable: special names, then categories, then scripts, then category aliases. */
    private static IntPredicate lookup(String canonical) {
        switch (canonical) {
            case "Any":
                return cp -> true;
            case "Assigned":
                return cp -> Character.getType(cp) != Character.UNASSIGNED;
            case "Ascii":
                return cp -> cp <= 0x7F;
            case "Lc":
                return category("LC");
            default:
                break;
        }
        IntPredicate category = category(canonical);
        if (category != null) {
            return category;
        }
        IntPredicate script = script(canonical);
        if (script != null) {
            return script;
        }
        String alias = ALIASES.get(canonical);
        return alias == null ? null : category(alias);
    }

    /** A category by Go's name: one of the two-letter ones, a one-letter union, or LC. */
    private static IntPredicate category(String name) {
        Integer type = CATEGORIES.get(name);
        if (type != null) {
            return cp -> Character.getType(cp) == type;
        }
        if (name.equals("LC")) {
            return cp -> switch (Character.getType(cp)) {
                case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER -> true;
                default -> false;
            };
        }
        if (name.length() != 1 || "CLMNPSZ".indexOf(name.charAt(0)) < 0) {
            return null;
        }
        boolean[] inUnion = new boolean[Character.FINAL_QUOTE_PUNCTUATION + 1];
        CATEGORIES.forEach((two, t) -> inUnion[t] = two.charAt(0) == name.charAt(0));
        return cp -> inUnion[Character.getType(cp)];
    }

    /**
     * A script whose Go name is the canonical name itself: Go looks scripts up by canonical name, so it finds
     * Greek and Han but not Old_Italic or SignWriting, and neither do we.
     */
    private static IntPredicate script(String canonical) {
        if (canonical.isEmpty() || canonical.equals("Unknown") || canonical.equals("Signwriting")) {
            return null;
        }
        Character.UnicodeScript script = Arrays.stream(Character.UnicodeScript.values())
                .filter(s -> s.name().indexOf('_') < 0 && s.name().equals(canonical.toUpperCase(Locale.ROOT)))
                .findFirst().orElse(null);
        return script == null ? null : cp -> Character.UnicodeScript.of(cp) == script;
    }

    /** Go's canonicalName: leading upper case, the rest lower case, without _ - and spaces. */
    static String canonicalName(String name) {
        StringBuilder b = new StringBuilder();
        boolean first = true;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
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

    /** The characters Go's (?i) matches for cp: its case orbit. */
    static BitSet foldOrbit(int cp) {
        BitSet one = new BitSet();
        one.set(cp);
        return foldClosure(one);
    }

    /** The set closed under simple case folding (k, K and the Kelvin sign together), as Go's fold tables add. */
    private static BitSet foldClosure(BitSet set) {
        BitSet keys = new BitSet();
        set.stream().forEach(cp -> keys.set(foldKey(cp)));
        BitSet out = (BitSet) set.clone();
        for (int cp = 0; cp <= Character.MAX_CODE_POINT; cp++) {
            if (keys.get(foldKey(cp))) {
                out.set(cp);
            }
        }
        return out;
    }

    private static int foldKey(int cp) {
        return Character.toLowerCase(Character.toUpperCase(cp));
    }
}
