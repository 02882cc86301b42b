package io.portcullis.engine.builtins;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.StringNode;

/**
 * sprintf(format, values): OPA turns each value into a Go value and calls Go's fmt.Sprintf. Numbers written as
 * integers become int64 (or *big.Int when too large), numbers with a fraction or exponent become float64 (or
 * their text when out of float64's range), strings stay strings, and everything else (booleans, null, arrays,
 * objects, sets) becomes its Rego text, so {@code %v} of {@code [{1, 2}]} prints {@code [{1, 2}]} and {@code %t}
 * of {@code true} prints {@code %!t(string=true)}, as in OPA.
 */
final class Sprintf {
    static final String NAME = "sprintf";
    private static final Operands OPERANDS = new Operands(NAME);

    private Sprintf() {}

    static HostBuiltin builtin() {
        return new HostBuiltin(NAME, 2, args -> StringNode.valueOf(sprintf(args.get(0), args.get(1))));
    }

    static String sprintf(JsonNode format, JsonNode values) throws BuiltinException {
        String f = OPERANDS.string(format, 1);
        OPERANDS.array(values, 2);
        List<Object> goArgs = new ArrayList<>(values.size());
        for (JsonNode v : values) {
            goArgs.add(toGoValue(v));
        }
        return GoFormat.sprintf(f, goArgs);
    }

    private static Object toGoValue(JsonNode v) {
        if (v.isString()) {
            return v.stringValue();
        }
        if (!v.isNumber()) {
            return RegoValues.toCanonicalText(v);
        }
        String text = RegoValues.numberText(v);
        if (text.indexOf('.') >= 0 || text.indexOf('e') >= 0 || text.indexOf('E') >= 0) {
            double d = Double.parseDouble(text);
            return Double.isInfinite(d) ? text : d;
        }
        Long i = Operands.goInt64(text);
        if (i != null) {
            return i;
        }
        try {
            return new BigInteger(text);
        } catch (NumberFormatException e) {
            return text;
        }
    }
}
