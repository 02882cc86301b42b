package io.portcullis.engine.builtins;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Go's strconv.FormatFloat(v, fmt, prec, 64) for the formats b, e, E, f, g, G, x and X. Precision -1 means the
 * shortest text that reads back as the same double; otherwise digits are the exact binary value rounded half to
 * even, as Go rounds.
 */
public final class GoFloat {
    private static final int MANT_BITS = 52;
    private static final int EXP_BITS = 11;
    private static final int BIAS = -1023;

    private GoFloat() {}

    /** Decimal digits d[0..nd) with the decimal point dp digits from the left: 0.d × 10^dp. No trailing zeros. */
    private record Digits(String d, int dp) {
        int nd() {
            return d.length();
        }

        char at(int i) {
            return d.charAt(i);
        }

        static Digits of(BigDecimal magnitude) {
            if (magnitude.signum() == 0) {
                return new Digits("", 0);
            }
            BigDecimal stripped = magnitude.stripTrailingZeros();
            String digits = stripped.unscaledValue().toString();
            return new Digits(digits, digits.length() - stripped.scale());
        }
    }

    public static String format(double v, char fmt, int prec) {
        long bits = Double.doubleToRawLongBits(v);
        boolean neg = bits < 0;
        int exp = (int) (bits >>> MANT_BITS) & ((1 << EXP_BITS) - 1);
        long mant = bits & ((1L << MANT_BITS) - 1);
        if (exp == (1 << EXP_BITS) - 1) {
            return mant != 0 ? "NaN" : neg ? "-Inf" : "+Inf";
        }
        if (exp == 0) {
            exp++;
        } else {
            mant |= 1L << MANT_BITS;
        }
        exp += BIAS;

        if (fmt == 'b') {
            return formatB(neg, mant, exp);
        }
        if (fmt == 'x' || fmt == 'X') {
            return formatX(prec, fmt, neg, mant, exp);
        }
        boolean shortest = prec < 0;
        if (mant == 0) {
            return formatDigits(shortest, neg, new Digits("", 0), prec, fmt);
        }
        BigDecimal magnitude = new BigDecimal(Math.abs(v));
        if (shortest) {
            Digits digs = shortestDigits(Math.abs(v));
            prec = switch (fmt) {
                case 'e', 'E' -> Math.max(digs.nd() - 1, 0);
                case 'f' -> Math.max(digs.nd() - digs.dp(), 0);
                case 'g', 'G' -> digs.nd();
                default -> prec;
            };
            return formatDigits(true, neg, digs, prec, fmt);
        }
        Digits digs;
        switch (fmt) {
            case 'e', 'E' -> digs = Digits.of(magnitude.round(new MathContext(prec + 1, RoundingMode.HALF_EVEN)));
            case 'f' -> digs = Digits.of(magnitude.setScale(prec, RoundingMode.HALF_EVEN));
            case 'g', 'G' -> {
                if (prec == 0) {
                    prec = 1;
                }
                digs = Digits.of(magnitude.round(new MathContext(prec, RoundingMode.HALF_EVEN)));
            }
            default -> digs = new Digits("", 0);
        }
        return formatDigits(false, neg, digs, prec, fmt);
    }

    /**
     * The shortest digits that read back as v. Java's Double.toString picks the same digits as Go, except that it
     * may print two digits where one would do (4.9E-324 where Go prints 5e-324); that case is narrowed here.
     */
    private static Digits shortestDigits(double v) {
        Digits digs = Digits.of(new BigDecimal(Double.toString(v)));
        if (digs.nd() == 2) {
            BigDecimal exact = new BigDecimal(v);
            Digits best = null;
            BigDecimal bestDistance = null;
            for (int first = digs.at(0) - '0'; first <= digs.at(0) - '0' + 1; first++) {
                BigDecimal candidate = BigDecimal.valueOf(first).scaleByPowerOfTen(digs.dp() - 1);
                if (Double.parseDouble(candidate.toString()) == v) {
                    BigDecimal distance = candidate.subtract(exact).abs();
                    if (best == null || distance.compareTo(bestDistance) < 0) {
                        best = Digits.of(candidate);
                        bestDistance = distance;
                    }
                }
            }
            if (best != null) {
                return best;
            }
        }
        return digs;
    }

    private static String formatDigits(boolean shortest, boolean neg, Digits digs, int prec, char fmt) {
        switch (fmt) {
            case 'e', 'E' -> {
                return formatE(neg, digs, prec, fmt);
            }
            case 'f' -> {
                return formatF(neg, digs, prec);
            }
            case 'g', 'G' -> {
                int eprec = prec;
                if (eprec > digs.nd() && digs.nd() >= digs.dp()) {
                    eprec = digs.nd();
                }
                // %e is used if the exponent is less than -4 or at least the precision; shortest uses 6.
                if (shortest) {
                    eprec = 6;
                }
                int exp = digs.dp() - 1;
                if (exp < -4 || exp >= eprec) {
                    if (prec > digs.nd()) {
                        prec = digs.nd();
                    }
                    return formatE(neg, digs, prec - 1, (char) (fmt + 'e' - 'g'));
                }
                if (prec > digs.dp()) {
                    prec = digs.nd();
                }
                return formatF(neg, digs, Math.max(prec - digs.dp(), 0));
            }
            default -> {
                return "%" + fmt;
            }
        }
    }

    private static String formatE(boolean neg, Digits d, int prec, char fmt) {
        StringBuilder out = new StringBuilder();
        if (neg) {
            out.append('-');
        }
        out.append(d.nd() != 0 ? d.at(0) : '0');
        if (prec > 0) {
            out.append('.');
            int i = 1;
            int m = Math.min(d.nd(), prec + 1);
            if (i < m) {
                out.append(d.d(), i, m);
                i = m;
            }
            for (; i <= prec; i++) {
                out.append('0');
            }
        }
        out.append(fmt);
        int exp = d.nd() == 0 ? 0 : d.dp() - 1;
        out.append(exp < 0 ? '-' : '+');
        exp = Math.abs(exp);
        if (exp < 10) {
            out.append('0');
        }
        return out.append(exp).toString();
    }

    private static String formatF(boolean neg, Digits d, int prec) {
        StringBuilder out = new StringBuilder();
        if (neg) {
            out.append('-');
        }
        if (d.dp() > 0) {
            int m = Math.min(d.nd(), d.dp());
            out.append(d.d(), 0, m);
            for (; m < d.dp(); m++) {
                out.append('0');
            }
        } else {
            out.append('0');
        }
        if (prec > 0) {
            out.append('.');
            for (int i = 0; i < prec; i++) {
                int j = d.dp() + i;
                out.append(0 <= j && j < d.nd() ? d.at(j) : '0');
            }
        }
        return out.toString();
    }

    /** %b: decimal mantissa and binary exponent, e.g. 4503599627370496p-52. */
    private static String formatB(boolean neg, long mant, int exp) {
        StringBuilder out = new StringBuilder();
        if (neg) {
            out.append('-');
        }
        out.append(mant).append('p');
        exp -= MANT_BITS;
        if (exp >= 0) {
            out.append('+');
        }
        return out.append(exp).toString();
    }

    /** %x: hexadecimal mantissa and binary exponent, e.g. 0x1.8p+01. */
    private static String formatX(int prec, char fmt, boolean neg, long mant, int exp) {
        if (mant == 0) {
            exp = 0;
        }
        // Shift digits so the leading 1 (if any) is at bit 1<<60.
        mant <<= 60 - MANT_BITS;
        while (mant != 0 && (mant & (1L << 60)) == 0) {
            mant <<= 1;
            exp--;
        }
        if (prec >= 0 && prec < 15) {
            int shift = prec * 4;
            long extra = (mant << shift) & ((1L << 60) - 1);
            mant >>>= 60 - shift;
            if (Long.compareUnsigned(extra | (mant & 1), 1L << 59) > 0) {
                mant++;
            }
            mant <<= 60 - shift;
            if ((mant & (1L << 61)) != 0) {
                mant >>>= 1;
                exp++;
            }
        }
        String hex = fmt == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
        StringBuilder out = new StringBuilder();
        if (neg) {
            out.append('-');
        }
        out.append('0').append(fmt).append((char) ('0' + ((mant >>> 60) & 1)));
        mant <<= 4;
        if (prec < 0 && mant != 0) {
            out.append('.');
            while (mant != 0) {
                out.append(hex.charAt((int) ((mant >>> 60) & 15)));
                mant <<= 4;
            }
        } else if (prec > 0) {
            out.append('.');
            for (int i = 0; i < prec; i++) {
                out.append(hex.charAt((int) ((mant >>> 60) & 15)));
                mant <<= 4;
            }
        }
        out.append(fmt == 'X' ? 'P' : 'p');
        out.append(exp < 0 ? '-' : '+');
        exp = Math.abs(exp);
        if (exp < 10) {
            out.append('0');
        }
        return out.append(exp).toString();
    }
}
