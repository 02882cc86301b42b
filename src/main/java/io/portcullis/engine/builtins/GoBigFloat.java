package io.portcullis.engine.builtins;

import java.math.BigInteger;

/**
 * Just enough of Go's math/big.Float to reproduce units.parse_bytes: values mant × 2^exp rounded to a binary
 * precision, half to even, as Go rounds; parsing follows big.Float's scan, which multiplies or divides the
 * decimal mantissa by a power of five computed at 128 bits, so results match Go's even where they are inexact.
 */
record GoBigFloat(BigInteger mant, long exp) {
    static final GoBigFloat ZERO = new GoBigFloat(BigInteger.ZERO, 0);
    private static final int PREC = 64;

    /** big.Float.SetString at precision 64, for text made of digits, '.', an exponent and a sign. */
    static GoBigFloat parse(String text) {
        String s = text;
        boolean neg = false;
        if (!s.isEmpty() && (s.charAt(0) == '+' || s.charAt(0) == '-')) {
            neg = s.charAt(0) == '-';
            s = s.substring(1);
        }
        int e = indexOfExponent(s);
        String mantissa = e < 0 ? s : s.substring(0, e);
        long exp10 = 0;
        if (e >= 0) {
            String x = s.substring(e + 1);
            if (!x.matches("[+-]?[0-9]{1,9}")) {
                throw new NumberFormatException(text);
            }
            exp10 = Long.parseLong(x.startsWith("+") ? x.substring(1) : x);
        }
        int dot = mantissa.indexOf('.');
        String digits = dot < 0 ? mantissa : mantissa.substring(0, dot) + mantissa.substring(dot + 1);
        if (digits.isEmpty() || !digits.chars().allMatch(c -> c >= '0' && c <= '9') || mantissa.indexOf('.', dot + 1) > 0) {
            throw new NumberFormatException(text);
        }
        if (dot >= 0) {
            exp10 -= mantissa.length() - dot - 1;
        }
        BigInteger m = new BigInteger(digits);
        if (m.signum() == 0) {
            return ZERO;
        }
        if (neg) {
            m = m.negate();
        }
        if (exp10 == 0) {
            return round(m, 0, PREC, false);
        }
        // m × 10^exp10 = (m × 2^exp10) × 5^exp10, the power of five at 128 bits.
        GoBigFloat z = new GoBigFloat(m, exp10);
        GoBigFloat p = pow5(Math.abs(exp10));
        return exp10 < 0 ? z.quo(p, PREC) : z.mul(p, PREC);
    }

    private static int indexOfExponent(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == 'e' || s.charAt(i) == 'E') {
                return i;
            }
        }
        return -1;
    }

    /** big.Float.pow5 into a float of precision 128. */
    private static GoBigFloat pow5(long n) {
        final int m = 27;
        if (n <= m) {
            return new GoBigFloat(BigInteger.valueOf(5).pow((int) n), 0);
        }
        GoBigFloat z = new GoBigFloat(BigInteger.valueOf(5).pow(m), 0);
        n -= m;
        GoBigFloat f = new GoBigFloat(BigInteger.valueOf(5), 0);
        while (n > 0) {
            if ((n & 1) != 0) {
                z = z.mul(f, PREC + 64);
            }
            f = f.mul(f, PREC + 128);
            n >>= 1;
        }
        return z;
    }

    GoBigFloat mul(GoBigFloat y, int prec) {
        return round(mant.multiply(y.mant), exp + y.exp, prec, false);
    }

    GoBigFloat quo(GoBigFloat y, int prec) {
        // Enough quotient bits for the precision plus a guard bit; the remainder is the sticky bit.
        int shift = Math.max(0, prec + 2 + y.mant.abs().bitLength() - mant.abs().bitLength());
        BigInteger[] qr = mant.abs().shiftLeft(shift).divideAndRemainder(y.mant.abs());
        BigInteger q = mant.signum() * y.mant.signum() < 0 ? qr[0].negate() : qr[0];
        return round(q, exp - y.exp - shift, prec, qr[1].signum() != 0);
    }

    /** Rounds mant × 2^exp to prec bits, half to even; sticky says the true value is a bit above |mant|. */
    static GoBigFloat round(BigInteger mant, long exp, int prec, boolean sticky) {
        BigInteger abs = mant.abs();
        int excess = abs.bitLength() - prec;
        if (excess <= 0) {
            if (sticky) {
                // Not reachable with the operand sizes used here; keep the value exact-looking but flagged.
                throw new IllegalStateException("inexact value below precision");
            }
            return new GoBigFloat(mant, exp);
        }
        BigInteger q = abs.shiftRight(excess);
        BigInteger rest = abs.subtract(q.shiftLeft(excess));
        BigInteger half = BigInteger.ONE.shiftLeft(excess - 1);
        int c = rest.compareTo(half);
        if (c > 0 || (c == 0 && (sticky || q.testBit(0)))) {
            q = q.add(BigInteger.ONE);
        }
        return new GoBigFloat(mant.signum() < 0 ? q.negate() : q, exp + excess);
    }

    /** big.Float.Int: truncated toward zero. */
    BigInteger toBigInteger() {
        if (exp >= 0) {
            return mant.shiftLeft((int) exp);
        }
        BigInteger truncated = mant.abs().shiftRight((int) -exp);
        return mant.signum() < 0 ? truncated.negate() : truncated;
    }
}
