package io.portcullis.engine.builtins;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * units.parse and units.parse_bytes. As in OPA: quotes are dropped, spaces rejected, the number is everything up
 * to the first character that cannot be part of a number. units.parse computes exactly (Go's big.Rat), except
 * that its "m" (milli) is the double 0.001, so 1000m is 1.0000000000; units.parse_bytes computes in 64-bit binary
 * floating point (Go's big.Float) and truncates to an integer.
 */
final class Units {
    private static final long K = 1000;
    private static final Map<String, BigInteger> SI = Map.ofEntries(
            Map.entry("", BigInteger.ONE),
            Map.entry("k", BigInteger.valueOf(K)), Map.entry("K", BigInteger.valueOf(K)),
            Map.entry("ki", pow2(10)), Map.entry("Ki", pow2(10)),
            Map.entry("M", BigInteger.valueOf(K * K)),
            Map.entry("mi", pow2(20)), Map.entry("Mi", pow2(20)),
            Map.entry("g", BigInteger.valueOf(K * K * K)), Map.entry("G", BigInteger.valueOf(K * K * K)),
            Map.entry("gi", pow2(30)), Map.entry("Gi", pow2(30)),
            Map.entry("t", BigInteger.valueOf(K * K * K * K)), Map.entry("T", BigInteger.valueOf(K * K * K * K)),
            Map.entry("ti", pow2(40)), Map.entry("Ti", pow2(40)),
            Map.entry("p", BigInteger.valueOf(K * K * K * K * K)), Map.entry("P", BigInteger.valueOf(K * K * K * K * K)),
            Map.entry("pi", pow2(50)), Map.entry("Pi", pow2(50)),
            Map.entry("e", BigInteger.valueOf(K * K * K * K * K * K)), Map.entry("E", BigInteger.valueOf(K * K * K * K * K * K)),
            Map.entry("ei", pow2(60)), Map.entry("Ei", pow2(60)));
    private static final Map<String, BigInteger> BYTES = Map.ofEntries(
            Map.entry("", BigInteger.ONE),
            Map.entry("kb", BigInteger.valueOf(K)), Map.entry("k", BigInteger.valueOf(K)),
            Map.entry("kib", pow2(10)), Map.entry("ki", pow2(10)),
            Map.entry("mb", BigInteger.valueOf(K * K)), Map.entry("m", BigInteger.valueOf(K * K)),
            Map.entry("mib", pow2(20)), Map.entry("mi", pow2(20)),
            Map.entry("gb", BigInteger.valueOf(K * K * K)), Map.entry("g", BigInteger.valueOf(K * K * K)),
            Map.entry("gib", pow2(30)), Map.entry("gi", pow2(30)),
            Map.entry("tb", BigInteger.valueOf(K * K * K * K)), Map.entry("t", BigInteger.valueOf(K * K * K * K)),
            Map.entry("tib", pow2(40)), Map.entry("ti", pow2(40)),
            Map.entry("pb", BigInteger.valueOf(K * K * K * K * K)), Map.entry("p", BigInteger.valueOf(K * K * K * K * K)),
            Map.entry("pib", pow2(50)), Map.entry("pi", pow2(50)),
            Map.entry("eb", BigInteger.valueOf(K * K * K * K * K * K)), Map.entry("e", BigInteger.valueOf(K * K * K * K * K * K)),
            Map.entry("eib", pow2(60)), Map.entry("ei", pow2(60)));
    private static final int MAX_EXPONENT_DIGITS = 6;

    private Units() {}

    private static BigInteger pow2(int n) {
        return BigInteger.ONE.shiftLeft(n);
    }

    static HostBuiltin parse() {
        Operands ops = new Operands("units.parse");
        return new HostBuiltin("units.parse", 1, args -> parseUnits(ops, ops.string(args.get(0), 1)));
    }

    static HostBuiltin parseBytes() {
        Operands ops = new Operands("units.parse_bytes");
        return new HostBuiltin("units.parse_bytes", 1, args -> parseBytes(ops, ops.string(args.get(0), 1)));
    }

    private static JsonNode parseUnits(Operands ops, String raw) throws BuiltinException {
        String s = raw.replace("\"", "");
        if (s.contains(" ")) {
            throw ops.error("units.parse: spaces not allowed in resource strings");
        }
        String[] numUnit = numberAndUnit(s);
        if (numUnit == null) {
            throw ops.error("units.parse: exponent too large");
        }
        String num = numUnit[0];
        String unit = numUnit[1];
        if (num.isEmpty()) {
            throw ops.error("units.parse: no amount provided");
        }
        // Only letters after the first are lower-cased, so that m and M differ.
        if (unit.getBytes(StandardCharsets.UTF_8).length > 1) {
            unit = lowerAfterFirstByte(unit);
        }
        BigDecimal factor;
        if (unit.equals("m")) {
            factor = new BigDecimal(0.001); // Go: big.Rat.SetFloat64(0.001), the double's exact value
        } else if (SI.containsKey(unit)) {
            factor = new BigDecimal(SI.get(unit));
        } else {
            throw ops.error("units.parse: unit " + unit + " not recognized");
        }
        BigDecimal amount;
        try {
            amount = decimal(num);
        } catch (NumberFormatException e) {
            throw ops.error("units.parse: could not parse amount to a number");
        }
        BigDecimal value = amount.multiply(factor);
        if (value.signum() == 0 || value.stripTrailingZeros().scale() <= 0) {
            return RegoValues.numberNode(value.toBigIntegerExact().toString(), true);
        }
        // big.Rat.FloatString(10): ten decimals, halves away from zero, the sign kept even when all are zero.
        String digits = value.abs().setScale(10, RoundingMode.HALF_UP).toPlainString();
        return new RegoNumberNode((value.signum() < 0 ? "-" : "") + digits);
    }

    private static JsonNode parseBytes(Operands ops, String raw) throws BuiltinException {
        String s = raw.toLowerCase(Locale.ROOT).replace("\"", "");
        if (s.contains(" ")) {
            throw ops.error("units.parse_bytes: spaces not allowed in resource strings");
        }
        String[] numUnit = numberAndUnit(s);
        if (numUnit == null) {
            throw ops.error("units.parse_bytes: exponent too large");
        }
        String num = numUnit[0];
        String unit = numUnit[1];
        if (num.isEmpty()) {
            throw ops.error("units.parse_bytes: no byte amount provided");
        }
        BigInteger factor = BYTES.get(unit);
        if (factor == null) {
            throw ops.error("units.parse_bytes: byte unit " + unit + " not recognized");
        }
        GoBigFloat amount;
        try {
            amount = GoBigFloat.parse(num);
        } catch (NumberFormatException e) {
            throw ops.error("units.parse_bytes: could not parse byte amount to a number");
        }
        BigInteger total = amount.mul(new GoBigFloat(factor, 0), 64).toBigInteger();
        return RegoValues.numberNode(total.toString(), true);
    }

    /**
     * Go's unit[:1] + strings.ToLower(unit[1:]): slices bytes, so a unit starting with a multi-byte character
     * comes out with replacement characters, as in OPA's error message.
     */
    private static String lowerAfterFirstByte(String unit) {
        byte[] bytes = unit.getBytes(StandardCharsets.UTF_8);
        String rest = new String(bytes, 1, bytes.length - 1, StandardCharsets.UTF_8).toLowerCase(Locale.ROOT);
        byte[] restBytes = rest.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[1 + restBytes.length];
        out[0] = bytes[0];
        System.arraycopy(restBytes, 0, out, 1, restBytes.length);
        return new String(out, StandardCharsets.UTF_8);
    }

    /** big.Rat.SetString for the number part: digits, one '.', an exponent, a sign. */
    private static BigDecimal decimal(String num) {
        if (!num.matches("[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?")) {
            throw new NumberFormatException(num);
        }
        return new BigDecimal(num);
    }

    /**
     * OPA's extractNumAndUnit: {number, unit}, split at the first character that is not a digit, '.', '+', '-'
     * or an 'e'/'E' followed by a digit or sign; null when an exponent has more than six digits.
     */
    static String[] numberAndUnit(String s) {
        int firstNonNum = -1;
        for (int i = 0; i < s.length(); i++) {
            char r = s.charAt(i);
            boolean isNum = (r >= '0' && r <= '9') || r == '.';
            if (!isNum && r != 'e' && r != 'E' && r != '+' && r != '-') {
                firstNonNum = i;
                break;
            }
            if (r == 'e' || r == 'E') {
                if (i == s.length() - 1 || !(isAsciiDigit(s.charAt(i + 1)) || s.charAt(i + 1) == '+' || s.charAt(i + 1) == '-')) {
                    firstNonNum = i;
                    break;
                }
                if (s.charAt(i + 1) == '+' || s.charAt(i + 1) == '-') {
                    i++;
                }
                int expStart = i + 1;
                int expEnd = expStart;
                while (expEnd < s.length() && isAsciiDigit(s.charAt(expEnd))) {
                    expEnd++;
                }
                if (expEnd - expStart > MAX_EXPONENT_DIGITS) {
                    return null;
                }
            }
        }
        if (firstNonNum == -1) {
            return new String[] {s, ""};
        }
        return new String[] {s.substring(0, firstNonNum), s.substring(firstNonNum)};
    }

    private static boolean isAsciiDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
