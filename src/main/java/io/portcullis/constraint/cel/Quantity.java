package io.portcullis.constraint.cel;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Kubernetes resource quantity ({@code 100m}, {@code 1.5Gi}, {@code 2e3}) as CEL's {@code quantity()} returns
 * it ([K8S] apimachinery/pkg/api/resource/quantity.go, apiserver/pkg/cel/library/quantity.go): an exact decimal,
 * equal to another quantity of the same amount however written.
 */
public final class Quantity implements Comparable<Quantity> {
    /** The API server's pattern, quoted in its parse error. */
    static final String PATTERN_TEXT = "^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$";
    private static final Pattern NUMBER = Pattern.compile("([+-]?)([0-9]*)(?:\\.([0-9]*))?(.*)");
    private static final Pattern EXPONENT = Pattern.compile("[eE]([-+]?[0-9]+)");
    private static final Map<String, BigDecimal> SUFFIXES = Map.ofEntries(
            Map.entry("", BigDecimal.ONE),
            Map.entry("n", new BigDecimal("1e-9")), Map.entry("u", new BigDecimal("1e-6")),
            Map.entry("m", new BigDecimal("1e-3")), Map.entry("k", new BigDecimal("1e3")),
            Map.entry("M", new BigDecimal("1e6")), Map.entry("G", new BigDecimal("1e9")),
            Map.entry("T", new BigDecimal("1e12")), Map.entry("P", new BigDecimal("1e15")),
            Map.entry("E", new BigDecimal("1e18")),
            Map.entry("Ki", BigDecimal.valueOf(1L << 10)), Map.entry("Mi", BigDecimal.valueOf(1L << 20)),
            Map.entry("Gi", BigDecimal.valueOf(1L << 30)), Map.entry("Ti", BigDecimal.valueOf(1L << 40)),
            Map.entry("Pi", BigDecimal.valueOf(1L << 50)), Map.entry("Ei", BigDecimal.valueOf(1L << 60)));
    private static final BigDecimal MIN_LONG = BigDecimal.valueOf(Long.MIN_VALUE);
    private static final BigDecimal MAX_LONG = BigDecimal.valueOf(Long.MAX_VALUE);

    private final BigDecimal value;

    private Quantity(BigDecimal value) {
        this.value = value.stripTrailingZeros();
    }

    /** Parses a quantity; the exception's message is the API server's. */
    public static Quantity parse(String text) {
        Matcher m = NUMBER.matcher(text);
        if (text.isEmpty() || !m.matches() || (m.group(2).isEmpty() && (m.group(3) == null || m.group(3).isEmpty()))
                || !m.group(4).matches("[eEinumkKMGTP]*[-+]?[0-9]*")) {
            throw new IllegalArgumentException("quantities must match the regular expression '" + PATTERN_TEXT + "'");
        }
        String digits = (m.group(1).equals("-") ? "-" : "") + (m.group(2).isEmpty() ? "0" : m.group(2))
                + (m.group(3) == null || m.group(3).isEmpty() ? "" : "." + m.group(3));
        BigDecimal number = new BigDecimal(digits);
        String suffix = m.group(4);
        BigDecimal multiplier = SUFFIXES.get(suffix);
        if (multiplier == null) {
            Matcher e = EXPONENT.matcher(suffix);
            if (!e.matches() || e.group(1).replaceFirst("^[-+]", "").length() > 9) {
                throw new IllegalArgumentException("unable to parse quantity's suffix");
            }
            return new Quantity(number.scaleByPowerOfTen(Integer.parseInt(e.group(1))));
        }
        return new Quantity(number.multiply(multiplier));
    }

    public static boolean isQuantity(String text) {
        try {
            parse(text);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    public long sign() {
        return value.signum();
    }

    /** Whether the amount is a whole number that fits an int64, as {@code asInteger()} needs. */
    public boolean isInteger() {
        return value.signum() == 0 || (value.scale() <= 0 && value.compareTo(MIN_LONG) >= 0 && value.compareTo(MAX_LONG) <= 0);
    }

    public long asInteger() {
        if (!isInteger()) {
            throw new IllegalArgumentException("cannot convert value to integer");
        }
        return value.longValueExact();
    }

    public double asApproximateFloat() {
        return value.doubleValue();
    }

    public Quantity add(Quantity other) {
        return new Quantity(value.add(other.value));
    }

    public Quantity add(long other) {
        return new Quantity(value.add(BigDecimal.valueOf(other)));
    }

    public Quantity sub(Quantity other) {
        return new Quantity(value.subtract(other.value));
    }

    public Quantity sub(long other) {
        return new Quantity(value.subtract(BigDecimal.valueOf(other)));
    }

    @Override
    public int compareTo(Quantity other) {
        return value.compareTo(other.value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Quantity q && q.value.compareTo(value) == 0;
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    /** The amount in a plain decimal form (for messages; the API server prints its canonical form). */
    @Override
    public String toString() {
        BigDecimal plain = value.stripTrailingZeros();
        return plain.scale() <= 0 ? new BigInteger(plain.toPlainString()).toString() : plain.toPlainString();
    }
}
