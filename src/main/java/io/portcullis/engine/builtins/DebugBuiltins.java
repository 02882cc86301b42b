package io.portcullis.engine.builtins;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.BooleanNode;

/** trace and internal.print (Rego's print()), both true; print lines go to a sink such as a logger. */
final class DebugBuiltins {
    private DebugBuiltins() {}

    /** trace(note): true; OPA only records the note when tracing, which wasm evaluation does not do. */
    static HostBuiltin trace() {
        Operands ops = new Operands("trace");
        return new HostBuiltin("trace", 1, args -> {
            ops.string(args.get(0), 1);
            return BooleanNode.TRUE;
        });
    }

    /**
     * internal.print([arg sets]): the compiler passes each print() argument as the set of its values (empty when
     * undefined); one line is printed per combination, arguments separated by spaces, strings unquoted,
     * undefined as {@code <undefined>}.
     */
    static HostBuiltin print(Consumer<String> sink) {
        Operands ops = new Operands("internal.print");
        return new HostBuiltin("internal.print", 1, args -> {
            JsonNode operands = ops.array(args.get(0), 1);
            for (JsonNode operand : operands) {
                if (!operand.isString() && !operand.isNumber() && !operand.isBoolean() && !operand.isNull()
                        && !(operand instanceof RegoSetNode)) {
                    throw ops.error("illegal argument type: " + RegoValues.typeName(operand));
                }
            }
            lines(operands.valueStream().toList(), 0, new ArrayList<>(), sink);
            return BooleanNode.TRUE;
        });
    }

    private static void lines(List<JsonNode> operands, int i, List<String> line, Consumer<String> sink) {
        if (i == operands.size()) {
            sink.accept(String.join(" ", line));
            return;
        }
        JsonNode operand = operands.get(i);
        if (!(operand instanceof RegoSetNode)) {
            line.add(text(operand));
            lines(operands, i + 1, line, sink);
            line.removeLast();
            return;
        }
        if (operand.isEmpty()) {
            line.add("<undefined>");
            lines(operands, i + 1, line, sink);
            line.removeLast();
            return;
        }
        for (JsonNode value : RegoValues.sorted(operand)) {
            line.add(text(value));
            lines(operands, i + 1, line, sink);
            line.removeLast();
        }
    }

    private static String text(JsonNode v) {
        return v.isString() ? v.stringValue() : RegoValues.toCanonicalText(v);
    }
}
