package io.portcullis.engine.builtins;

import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.BooleanNode;

/**
 * strings.any_prefix_match(search, base) and strings.any_suffix_match(search, base): whether any string of
 * search (a string, or an array or set of strings) starts (ends) with any string of base (likewise).
 */
final class AffixMatch {
    private final Operands operands;
    private final boolean suffix;

    private AffixMatch(String name, boolean suffix) {
        this.operands = new Operands(name);
        this.suffix = suffix;
    }

    static HostBuiltin prefix() {
        AffixMatch m = new AffixMatch("strings.any_prefix_match", false);
        return new HostBuiltin("strings.any_prefix_match", 2, args -> BooleanNode.valueOf(m.match(args.get(0), args.get(1))));
    }

    static HostBuiltin suffix() {
        AffixMatch m = new AffixMatch("strings.any_suffix_match", true);
        return new HostBuiltin("strings.any_suffix_match", 2, args -> BooleanNode.valueOf(m.match(args.get(0), args.get(1))));
    }

    private boolean match(JsonNode search, JsonNode base) throws BuiltinException {
        // The search strings are checked first, so that their type errors come first.
        List<String> strs;
        if (search.isString()) {
            strs = List.of(search.stringValue());
        } else if (search.isArray()) {
            strs = operands.strings(search, 1);
        } else {
            throw operands.typeError(1, search, "string", "set", "array");
        }
        List<String> bases;
        if (base.isString()) {
            bases = List.of(base.stringValue());
        } else if (base.isArray()) {
            bases = operands.strings(base, 2);
        } else {
            throw operands.typeError(2, base, "string", "set", "array");
        }
        for (String s : strs) {
            for (String b : bases) {
                if (suffix ? s.endsWith(b) : s.startsWith(b)) {
                    return true;
                }
            }
        }
        return false;
    }
}
