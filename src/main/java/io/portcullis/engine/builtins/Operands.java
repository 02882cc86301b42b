package io.portcullis.engine.builtins;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/** Operand checks with OPA's wording (topdown/builtins: StringOperand, ArrayOperand, StringSliceOperand, ...). */
final class Operands {
    private final String builtin;

    Operands(String builtin) {
        this.builtin = builtin;
    }

    String string(JsonNode v, int pos) throws BuiltinException {
        if (!v.isString()) {
            throw typeError(pos, v, "string");
        }
        return v.stringValue();
    }

    JsonNode array(JsonNode v, int pos) throws BuiltinException {
        if (!v.isArray() || v instanceof RegoSetNode) {
            throw typeError(pos, v, "array");
        }
        return v;
    }

    JsonNode object(JsonNode v, int pos) throws BuiltinException {
        if (!v.isObject()) {
            throw typeError(pos, v, "object");
        }
        return v;
    }

    JsonNode number(JsonNode v, int pos) throws BuiltinException {
        if (!v.isNumber()) {
            throw typeError(pos, v, "number");
        }
        return v;
    }

    /** IntOperand: a number that is an integer and fits Go's int. */
    long integer(JsonNode v, int pos) throws BuiltinException {
        number(v, pos);
        Long i = goInt64(RegoValues.numberText(v));
        if (i == null) {
            throw operandError(pos, "must be integer number but got floating-point number");
        }
        return i;
    }

    /** BigIntOperand: any number with an integral value. */
    BigInteger bigInteger(JsonNode v, int pos) throws BuiltinException {
        if (!v.isNumber()) {
            throw typeError(pos, v, "integer");
        }
        BigDecimal d = RegoValues.decimal(v);
        try {
            return d.toBigIntegerExact();
        } catch (ArithmeticException e) {
            throw operandError(pos, "must be integer number but got floating-point number");
        }
    }

    /** StringSliceOperand: an array or set of strings (sets in Rego order). */
    List<String> strings(JsonNode v, int pos) throws BuiltinException {
        if (!v.isArray()) {
            throw typeError(pos, v, "array", "set");
        }
        List<JsonNode> elements = v instanceof RegoSetNode ? RegoValues.sorted(v) : v.valueStream().toList();
        List<String> out = new ArrayList<>(elements.size());
        for (JsonNode e : elements) {
            if (!e.isString()) {
                String tpe = RegoValues.typeName(v);
                throw operandError(pos, "must be " + tpe + " of strings but got " + tpe + " containing " + RegoValues.typeName(e));
            }
            out.add(e.stringValue());
        }
        return out;
    }

    BuiltinException typeError(int pos, JsonNode got, String... expected) {
        String want = expected.length == 1 ? expected[0] : "one of {" + String.join(", ", expected) + "}";
        return operandError(pos, "must be " + want + " but got " + RegoValues.typeName(got));
    }

    BuiltinException operandError(int pos, String message) {
        return BuiltinException.typeError(builtin, "operand " + pos + " " + message);
    }

    BuiltinException error(String message) {
        return BuiltinException.builtinError(builtin, message);
    }

    /**
     * OPA's util.Atoi64: the integer a number's text denotes, when it fits int64. Like OPA it accepts a fraction of
     * zeros ("1.0") but no exponent.
     */
    static Long goInt64(String text) {
        String s = text;
        boolean negative = false;
        if (!s.isEmpty() && (s.charAt(0) == '-' || s.charAt(0) == '+')) {
            negative = s.charAt(0) == '-';
            s = s.substring(1);
        }
        if (s.isEmpty() || s.length() > 19) {
            return null;
        }
        long n = 0;
        boolean pastDecimal = false;
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '.') {
                if (pastDecimal) {
                    return null;
                }
                pastDecimal = true;
                continue;
            }
            int digit = ch - '0';
            if (pastDecimal) {
                if (digit == 0) {
                    continue;
                }
                return null;
            }
            if (digit < 0 || digit > 9) {
                return null;
            }
            n = n * 10 + digit;
        }
        if (!negative && n < 0) {
            return null;
        }
        if (negative) {
            n = -n;
            if (n > 0) {
                return null;
            }
        }
        return n;
    }
}
