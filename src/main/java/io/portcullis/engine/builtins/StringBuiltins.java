package io.portcullis.engine.builtins;

import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.IntNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.StringNode;

/** strings.count, indexof_n, glob.quote_meta and replace (for an old string that may be empty), with OPA's semantics. */
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

    /**
     * replace(s, old, new) where old may be empty: our OPA compiler sends these calls here (as portcullis.replace)
     * because OPA's wasm runtime loops forever on an empty old string.
     */
    static HostBuiltin replace() {
        Operands ops = new Operands("replace");
        return new HostBuiltin("portcullis.replace", 3, args -> {
            String s = ops.string(args.get(0), 1);
            String old = ops.string(args.get(1), 2);
            String replacement = ops.string(args.get(2), 3);
            return StringNode.valueOf(GoReplacer.replace(s, List.of(new GoReplacer.Pair(old, replacement))));
        });
    }

    /**
     * strings.replace_n(patterns, s) where a pattern may be empty: our OPA compiler sends these calls here (as
     * portcullis.replace_n) because OPA's wasm runtime, like Go, splits characters then, and its bytes reach the
     * JVM as invalid UTF-8. Patterns apply in key order, as OPA sorts them.
     */
    static HostBuiltin replaceN() {
        Operands ops = new Operands("strings.replace_n");
        return new HostBuiltin("portcullis.replace_n", 2, args -> {
            JsonNode patterns = ops.object(args.get(0), 1);
            String s = ops.string(args.get(1), 2);
            List<GoReplacer.Pair> pairs = new ArrayList<>();
            for (String key : patterns.propertyNames().stream().sorted(StringBuiltins::compareUtf8).toList()) {
                JsonNode value = patterns.get(key);
                if (!value.isString()) {
                    throw ops.operandError(1, "non-string value found in pattern object");
                }
                pairs.add(new GoReplacer.Pair(key, value.stringValue()));
            }
            return StringNode.valueOf(GoReplacer.replace(s, pairs));
        });
    }

    /** Go's string order: by UTF-8 bytes, which is code point order. */
    private static int compareUtf8(String a, String b) {
        return java.util.Arrays.compare(a.codePoints().toArray(), b.codePoints().toArray());
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
