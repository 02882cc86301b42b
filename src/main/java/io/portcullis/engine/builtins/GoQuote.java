package io.portcullis.engine.builtins;

/**
 * Go's string and rune quoting (strconv.Quote, QuoteToASCII, QuoteRune, CanBackquote, IsPrint), which OPA uses to
 * print strings inside composite values and sprintf uses for %q. Java strings are UTF-16; every code point is
 * quoted as Go quotes the same code point in UTF-8. Printability comes from Java's Unicode tables, which match
 * Go's except where the two Unicode versions differ.
 */
final class GoQuote {
    private static final String HEX = "0123456789abcdef";
    static final int RUNE_ERROR = 0xFFFD;
    static final int MAX_RUNE = 0x10FFFF;

    private GoQuote() {}

    /** strconv.Quote (asciiOnly false) or strconv.QuoteToASCII (asciiOnly true). */
    static String quote(String s, boolean asciiOnly) {
        StringBuilder out = new StringBuilder(s.length() + 2);
        out.append('"');
        for (int i = 0; i < s.length(); ) {
            int r = s.codePointAt(i);
            i += Character.charCount(r);
            if (Character.isSurrogate((char) r) && r <= 0xFFFF) {
                // A lone surrogate has no UTF-8 form; Go would see the bytes of a replacement.
                r = RUNE_ERROR;
            }
            appendEscapedRune(out, r, '"', asciiOnly);
        }
        return out.append('"').toString();
    }

    /** strconv.QuoteRune / QuoteRuneToASCII; invalid runes become U+FFFD. */
    static String quoteRune(long r, boolean asciiOnly) {
        int rune = isValidRune(r) ? (int) r : RUNE_ERROR;
        StringBuilder out = new StringBuilder("'");
        appendEscapedRune(out, rune, '\'', asciiOnly);
        return out.append('\'').toString();
    }

    static boolean isValidRune(long r) {
        return (r >= 0 && r < 0xD800) || (r > 0xDFFF && r <= MAX_RUNE);
    }

    private static void appendEscapedRune(StringBuilder out, int r, char quote, boolean asciiOnly) {
        if (r == quote || r == '\\') {
            out.append('\\').append((char) r);
            return;
        }
        if (asciiOnly) {
            if (r < 0x80 && isPrint(r)) {
                out.append((char) r);
                return;
            }
        } else if (isPrint(r)) {
            out.appendCodePoint(r);
            return;
        }
        switch (r) {
            case 0x07 -> out.append("\\a");
            case '\b' -> out.append("\\b");
            case '\f' -> out.append("\\f");
            case '\n' -> out.append("\\n");
            case '\r' -> out.append("\\r");
            case '\t' -> out.append("\\t");
            case 0x0B -> out.append("\\v");
            default -> {
                if (r < ' ' || r == 0x7F) {
                    out.append("\\x").append(HEX.charAt(r >> 4)).append(HEX.charAt(r & 0xF));
                } else if (r < 0x10000) {
                    out.append("\\u");
                    hex(out, r, 4);
                } else {
                    out.append("\\U");
                    hex(out, r, 8);
                }
            }
        }
    }

    private static void hex(StringBuilder out, int r, int digits) {
        for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
            out.append(HEX.charAt((r >> shift) & 0xF));
        }
    }

    /** strconv.CanBackquote: no control characters other than tab, no backquote, no BOM. */
    static boolean canBackquote(String s) {
        for (int i = 0; i < s.length(); ) {
            int r = s.codePointAt(i);
            i += Character.charCount(r);
            if (r >= 0x80) {
                if (r == 0xFEFF || (Character.isSurrogate((char) r) && r <= 0xFFFF)) {
                    return false;
                }
                continue;
            }
            if ((r < ' ' && r != '\t') || r == '`' || r == 0x7F) {
                return false;
            }
        }
        return true;
    }

    /**
     * strconv.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space (Go's unicode.IsPrint).
     */
    static boolean isPrint(int r) {
        if (r <= 0xFF) {
            if (0x20 <= r && r <= 0x7E) {
                return true;
            }
            if (0xA1 <= r && r <= 0xFF) {
                return r != 0xAD;
            }
            return false;
        }
        if (r > MAX_RUNE) {
            return false;
        }
        return switch (Character.getType(r)) {
            case Character.UNASSIGNED, Character.CONTROL, Character.FORMAT, Character.SURROGATE,
                    Character.PRIVATE_USE, Character.SPACE_SEPARATOR, Character.LINE_SEPARATOR,
                    Character.PARAGRAPH_SEPARATOR -> false;
            default -> true;
        };
    }
}
