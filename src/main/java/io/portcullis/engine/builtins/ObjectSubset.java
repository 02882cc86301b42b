package io.portcullis.engine.builtins;

import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.BooleanNode;

/**
 * object.subset(super, sub), as OPA defines it: objects recursively (a key's values equal, or both objects, sets or
 * arrays that are subsets), sets by membership, arrays as a contiguous run, and an array with a set by membership.
 * Values compare as Rego values (1 equals 1.0).
 */
final class ObjectSubset {
    private static final String NAME = "object.subset";

    private ObjectSubset() {}

    static HostBuiltin builtin() {
        return new HostBuiltin(NAME, 2, args -> {
            JsonNode sup = args.get(0);
            JsonNode sub = args.get(1);
            if (sup.isObject() && sub.isObject()) {
                return BooleanNode.valueOf(objectSubset(sup, sub));
            }
            if (isSet(sup) && isSet(sub)) {
                return BooleanNode.valueOf(setSubset(sup, sub));
            }
            if (isArray(sup) && isArray(sub)) {
                return BooleanNode.valueOf(arraySubset(sup, sub));
            }
            if (isArray(sup) && isSet(sub)) {
                return BooleanNode.valueOf(arraySetSubset(sup, sub));
            }
            throw BuiltinException.typeError(NAME, "both arguments object.subset must be of the same type or array and set");
        });
    }

    private static boolean isSet(JsonNode v) {
        return v instanceof RegoSetNode;
    }

    private static boolean isArray(JsonNode v) {
        return v.isArray() && !(v instanceof RegoSetNode);
    }

    private static boolean equal(JsonNode a, JsonNode b) {
        return RegoValues.compare(a, b) == 0;
    }

    private static boolean contains(JsonNode set, JsonNode element) {
        for (JsonNode e : set) {
            if (equal(e, element)) {
                return true;
            }
        }
        return false;
    }

    private static boolean objectSubset(JsonNode sup, JsonNode sub) {
        List<Map.Entry<JsonNode, JsonNode>> superEntries = RegoValues.entries(sup);
        for (Map.Entry<JsonNode, JsonNode> e : RegoValues.entries(sub)) {
            JsonNode superValue = null;
            for (Map.Entry<JsonNode, JsonNode> s : superEntries) {
                if (equal(s.getKey(), e.getKey())) {
                    superValue = s.getValue();
                    break;
                }
            }
            if (superValue == null) {
                return false;
            }
            JsonNode subValue = e.getValue();
            if (equal(subValue, superValue)) {
                continue;
            }
            boolean ok;
            if (superValue.isObject() && subValue.isObject()) {
                ok = objectSubset(superValue, subValue);
            } else if (isSet(superValue) && isSet(subValue)) {
                ok = setSubset(superValue, subValue);
            } else if (isArray(superValue) && isArray(subValue)) {
                ok = arraySubset(superValue, subValue);
            } else {
                ok = false;
            }
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static boolean setSubset(JsonNode sup, JsonNode sub) {
        for (JsonNode e : sub) {
            if (!contains(sup, e)) {
                return false;
            }
        }
        return true;
    }

    /** sub occurs in sup as a contiguous run (OPA's search, quirks included). */
    private static boolean arraySubset(JsonNode sup, JsonNode sub) {
        if (sub.size() > sup.size()) {
            return false;
        }
        if (equal(sub, sup)) {
            return true;
        }
        int superCursor = 0;
        int subCursor = 0;
        while (true) {
            if (subCursor == sub.size()) {
                return true;
            }
            if (superCursor + subCursor == sup.size()) {
                return false;
            }
            if (equal(sup.get(superCursor + subCursor), sub.get(subCursor))) {
                subCursor++;
            } else {
                superCursor++;
                subCursor = 0;
            }
        }
    }

    /** Every element of the set is in the array; like OPA, false for an empty array even with an empty set. */
    private static boolean arraySetSubset(JsonNode sup, JsonNode sub) {
        int unmatched = sub.size();
        for (JsonNode e : sup) {
            if (contains(sub, e)) {
                unmatched--;
            }
            if (unmatched == 0) {
                return true;
            }
        }
        return false;
    }
}
