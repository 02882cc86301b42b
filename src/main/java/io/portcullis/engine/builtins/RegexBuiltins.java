package io.portcullis.engine.builtins;

import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.StringNode;

/** regex.split, regex.replace and regex.find_n: Go regular expressions (see {@link GoRegex}). */
final class RegexBuiltins {
    private RegexBuiltins() {}

    /** regex.split(pattern, value). */
    static HostBuiltin split() {
        Operands ops = new Operands("regex.split");
        return new HostBuiltin("regex.split", 2, args -> {
            String pattern = ops.string(args.get(0), 1);
            String value = ops.string(args.get(1), 2);
            return strings(compile(ops, pattern).split(value));
        });
    }

    /** regex.replace(s, pattern, value): every match replaced, $1 and ${name} expanded. */
    static HostBuiltin replace() {
        Operands ops = new Operands("regex.replace");
        return new HostBuiltin("regex.replace", 3, args -> {
            String s = ops.string(args.get(0), 1);
            String pattern = ops.string(args.get(1), 2);
            String value = ops.string(args.get(2), 3);
            return StringNode.valueOf(compile(ops, pattern).replaceAll(s, value));
        });
    }

    /** regex.find_n(pattern, value, number): at most number matches (all when negative). */
    static HostBuiltin findN() {
        Operands ops = new Operands("regex.find_n");
        return new HostBuiltin("regex.find_n", 3, args -> {
            String pattern = ops.string(args.get(0), 1);
            String value = ops.string(args.get(1), 2);
            long n = ops.integer(args.get(2), 3);
            int limit = n < 0 ? -1 : (int) Math.min(n, Integer.MAX_VALUE);
            return strings(compile(ops, pattern).findAllStrings(value, limit));
        });
    }

    private static GoRegex compile(Operands ops, String pattern) throws BuiltinException {
        try {
            return GoRegex.compile(pattern);
        } catch (GoRegex.SyntaxError e) {
            throw ops.error(e.getMessage());
        }
    }

    private static JsonNode strings(List<String> values) {
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        values.forEach(out::add);
        return out;
    }
}
