package io.portcullis.engine.builtins;

import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.IntNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.StringNode;

/** strings.count, indexof_n and glob.quote_meta, with OPA's semantics. */
final class StringBuiltins {
    private StringBuiltins() {}

    /** strings.count(search, substring): non-overlapping occurrences; an empty substring counts runes + 1. */
    static HostBuiltin count() {
        Operands ops = new Operands("strings.count");
        return new HostBuiltin("strings.count", 2, args -> {
            String s = ops.string(args.get(0), 1);
            String sub = ops.string(args.get(1), 2);
            if (sub.isEmpty()) {
                return IntNode.valueOf(s.codePointCount(0, s.length()) + 1);
            }
            int n = 0;
            for (int i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + sub.length())) {
                n++;
            }
            return IntNode.valueOf(n);
        });
    }

    /** indexof_n(string, search): the rune index of every occurrence, overlapping ones included. */
    static HostBuiltin indexOfN() {
        Operands ops = new Operands("indexof_n");
        return new HostBuiltin("indexof_n", 2, args -> {
            String base = ops.string(args.get(0), 1);
            String search = ops.string(args.get(1), 2);
            if (search.isEmpty()) {
                throw ops.error("empty search character");
            }
            int[] runes = base.codePoints().toArray();
            int[] needle = search.codePoints().toArray();
            ArrayNode out = JsonNodeFactory.instance.arrayNode();
            for (int i = 0; i + needle.length <= runes.length; i++) {
                if (java.util.Arrays.equals(runes, i, i + needle.length, needle, 0, needle.length)) {
                    out.add(i);
                }
            }
            return out;
        });
    }

    /** glob.quote_meta(pattern): backslash before each of * ? \ [ ] { }. */
    static HostBuiltin globQuoteMeta() {
        Operands ops = new Operands("glob.quote_meta");
        return new HostBuiltin("glob.quote_meta", 1, args -> {
            String s = ops.string(args.get(0), 1);
            StringBuilder out = new StringBuilder(s.length() + 8);
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if ("*?\\[]{}".indexOf(c) >= 0) {
                    out.append('\\');
                }
                out.append(c);
            }
            return StringNode.valueOf(out.toString());
        });
    }
}
