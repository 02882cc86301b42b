package io.portcullis.engine.builtins;

import java.math.BigInteger;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * numbers.range_step(a, b, step): the integers from a to b (counting down when a > b) in steps of step, ends
 * included when reached. Unlike OPA, which stops a runaway range by query cancellation, a range of more than
 * {@value #MAX_ELEMENTS} numbers is an error here, so one call cannot exhaust the heap.
 */
final class RangeStep {
    static final int MAX_ELEMENTS = 10_000_000;

    private RangeStep() {}

    static HostBuiltin builtin() {
        Operands ops = new Operands("numbers.range_step");
        return new HostBuiltin("numbers.range_step", 3, args -> {
            BigInteger x = ops.bigInteger(args.get(0), 1);
            BigInteger y = ops.bigInteger(args.get(1), 2);
            BigInteger step = ops.bigInteger(args.get(2), 3);
            if (step.signum() <= 0) {
                throw ops.error("numbers.range_step: step must be a positive integer");
            }
            BigInteger count = y.subtract(x).abs().divide(step).add(BigInteger.ONE);
            if (count.compareTo(BigInteger.valueOf(MAX_ELEMENTS)) > 0) {
                throw ops.error("numbers.range_step: range of " + count + " numbers is too large");
            }
            boolean up = x.compareTo(y) <= 0;
            ArrayNode out = JsonNodeFactory.instance.arrayNode(count.intValue());
            for (BigInteger i = x; up ? i.compareTo(y) <= 0 : i.compareTo(y) >= 0; i = up ? i.add(step) : i.subtract(step)) {
                out.add(RegoValues.numberNode(i.toString(), true));
            }
            return out;
        });
    }
}
