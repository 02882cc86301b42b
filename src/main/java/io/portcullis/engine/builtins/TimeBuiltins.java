package io.portcullis.engine.builtins;

import java.math.BigInteger;
import java.time.Instant;
import java.time.InstantSource;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import tools.jackson.databind.JsonNode;

/** time.now_ns and time.parse_rfc3339_ns. */
final class TimeBuiltins {
    private static final String RFC3339 = "2006-01-02T15:04:05Z07:00";
    private static final BigInteger NANOS = BigInteger.valueOf(1_000_000_000L);
    private static final BigInteger MIN_NANOS = BigInteger.valueOf(Long.MIN_VALUE);
    private static final BigInteger MAX_NANOS = BigInteger.valueOf(Long.MAX_VALUE);

    private TimeBuiltins() {}

    /**
     * time.now_ns(): nanoseconds since the epoch. OPA fixes the time once per query; a host builtin cannot see
     * query boundaries, so each call reads the clock (pass a fixed clock to pin it).
     */
    static HostBuiltin nowNs(InstantSource clock) {
        return new HostBuiltin("time.now_ns", 0, args -> {
            Instant now = clock.instant();
            return nanos(BigInteger.valueOf(now.getEpochSecond()), now.getNano());
        });
    }

    /** time.parse_rfc3339_ns(value): Go's time.Parse(time.RFC3339, value) in nanoseconds since the epoch. */
    static HostBuiltin parseRfc3339Ns() {
        Operands ops = new Operands("time.parse_rfc3339_ns");
        return new HostBuiltin("time.parse_rfc3339_ns", 1, args -> {
            String value = ops.string(args.get(0), 1);
            try {
                return new Rfc3339(value).parse();
            } catch (ParseError e) {
                throw ops.error(e.getMessage());
            }
        });
    }

    private static JsonNode nanos(BigInteger epochSeconds, int nano) throws ParseError {
        BigInteger ns = epochSeconds.multiply(NANOS).add(BigInteger.valueOf(nano));
        if (ns.compareTo(MIN_NANOS) < 0 || ns.compareTo(MAX_NANOS) > 0) {
            throw new ParseError("time outside of valid range");
        }
        return RegoValues.numberNode(ns.toString(), true);
    }

    private static final class ParseError extends BuiltinException {
        ParseError(String message) {
            super(message);
        }
    }

    /**
     * Go's time.Parse for the RFC 3339 layout, which is laxer than RFC 3339: a one-digit hour, a fraction of any
     * length after the seconds (with '.' or ','), and zone offsets up to 24:60 are accepted. Errors are worded as
     * Go words them.
     */
    private static final class Rfc3339 {
        private final String whole;
        private String value;

        Rfc3339(String value) {
            this.whole = value;
            this.value = value;
        }

        JsonNode parse() throws ParseError {
            int year = fixed(4, "2006");
            skip("-");
            int month = twoDigits("01");
            if (month <= 0 || month > 12) {
                throw range("month");
            }
            skip("-");
            int day = twoDigits("02");
            skip("T");
            int hour = hour();
            skip(":");
            int min = twoDigits("04");
            if (min >= 60) {
                throw range("minute");
            }
            skip(":");
            int sec = twoDigits("05");
            if (sec >= 60) {
                throw range("second");
            }
            int nsec = 0;
            if (value.length() >= 2 && (value.charAt(0) == '.' || value.charAt(0) == ',') && isDigit(value, 1)) {
                int n = 2;
                while (n < value.length() && isDigit(value, n)) {
                    n++;
                }
                String digits = value.substring(1, Math.min(n, 10));
                nsec = Integer.parseInt(digits) * (int) Math.pow(10, 9 - digits.length());
                value = value.substring(n);
            }
            int offset = zone();
            if (!value.isEmpty()) {
                throw new ParseError("parsing time " + quote(whole) + ": extra text: " + quote(value));
            }
            if (day < 1 || day > YearMonth.of(year, month).lengthOfMonth()) {
                throw new ParseError("parsing time " + quote(whole) + ": day out of range");
            }
            long seconds = LocalDateTime.of(year, month, day, hour, min, sec).toEpochSecond(ZoneOffset.UTC) - offset;
            return nanos(BigInteger.valueOf(seconds), nsec);
        }

        private int fixed(int n, String layoutElem) throws ParseError {
            if (value.length() < n || !isDigit(value, 0)) {
                throw cannotParse(value, layoutElem);
            }
            for (int i = 1; i < n; i++) {
                if (!isDigit(value, i)) {
                    throw cannotParse(value, layoutElem);
                }
            }
            int v = Integer.parseInt(value.substring(0, n));
            value = value.substring(n);
            return v;
        }

        private int twoDigits(String layoutElem) throws ParseError {
            if (!isDigit(value, 0) || !isDigit(value, 1)) {
                throw cannotParse(value, layoutElem);
            }
            return fixed(2, layoutElem);
        }

        /** Go's stdHour: one or two digits. */
        private int hour() throws ParseError {
            if (!isDigit(value, 0)) {
                throw cannotParse(value, "15");
            }
            int n = isDigit(value, 1) ? 2 : 1;
            int h = Integer.parseInt(value.substring(0, n));
            value = value.substring(n);
            if (h >= 24) {
                throw range("hour");
            }
            return h;
        }

        /** Z or ±hh:mm; returns the offset in seconds east of UTC. */
        private int zone() throws ParseError {
            if (!value.isEmpty() && value.charAt(0) == 'Z') {
                value = value.substring(1);
                return 0;
            }
            String hold = value;
            if (value.length() < 6 || value.charAt(3) != ':') {
                throw cannotParse(hold, "Z07:00");
            }
            char sign = value.charAt(0);
            String hh = value.substring(1, 3);
            String mm = value.substring(4, 6);
            value = value.substring(6);
            // Go's order: range errors win over malformed parts, which read as 0.
            boolean bad = !isDigit(hh, 0) || !isDigit(hh, 1);
            int hr = bad ? 0 : Integer.parseInt(hh);
            int min = 0;
            if (!bad) {
                bad = !isDigit(mm, 0) || !isDigit(mm, 1);
                min = bad ? 0 : Integer.parseInt(mm);
            }
            String rangeError = null;
            if (hr > 24) {
                rangeError = "time zone offset hour";
            }
            if (min > 60) {
                rangeError = "time zone offset minute";
            }
            if (sign != '+' && sign != '-') {
                bad = true;
            }
            if (rangeError != null) {
                throw range(rangeError);
            }
            if (bad) {
                throw cannotParse(hold, "Z07:00");
            }
            int offset = (hr * 60 + min) * 60;
            return sign == '-' ? -offset : offset;
        }

        private void skip(String prefix) throws ParseError {
            if (!value.startsWith(prefix)) {
                throw cannotParse(value, prefix);
            }
            value = value.substring(prefix.length());
        }

        private static boolean isDigit(String s, int i) {
            return i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9';
        }

        private ParseError cannotParse(String valueElem, String layoutElem) {
            return new ParseError("parsing time " + quote(whole) + " as " + quote(RFC3339) + ": cannot parse "
                    + quote(valueElem) + " as " + quote(layoutElem));
        }

        private ParseError range(String what) {
            return new ParseError("parsing time " + quote(whole) + ": " + what + " out of range");
        }

        /** Go's time.quote: non-ASCII and control characters as \x escapes of their UTF-8 bytes. */
        private static String quote(String s) {
            StringBuilder out = new StringBuilder("\"");
            for (int i = 0; i < s.length(); ) {
                int c = s.codePointAt(i);
                i += Character.charCount(c);
                if (c >= 0x80 || c < ' ') {
                    for (byte b : new String(Character.toChars(c)).getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
                        out.append(String.format("\\x%02x", b & 0xFF));
                    }
                } else {
                    if (c == '"' || c == '\\') {
                        out.append('\\');
                    }
                    out.append((char) c);
                }
            }
            return out.append('"').toString();
        }
    }
}
