package io.portcullis.mutation.gatekeeper;

import io.portcullis.json.JsonFields;
import java.util.HashMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * A mutator's {@code parameters.pathTests}, indexed by the depth of each sub-path's last node. A sub-path must be a
 * prefix of the location; two tests on the same depth must agree.
 */
public final class PathTests {
    public enum Condition { MustExist, MustNotExist }

    public static final PathTests NONE = new PathTests(Map.of());

    private final Map<Integer, Condition> byDepth;

    private PathTests(Map<Integer, Condition> byDepth) {
        this.byDepth = Map.copyOf(byDepth);
    }

    /** One condition on the node at {@code location}'s last depth (AssignMetadata's implicit test). */
    public static PathTests single(Location location, Condition condition) {
        return new PathTests(Map.of(location.size() - 1, condition));
    }

    /** Reads {@code parameters.pathTests} for {@code location}. */
    public static PathTests parse(JsonNode tests, Location location) {
        if (tests == null || tests.isNull()) {
            return NONE;
        }
        if (!tests.isArray()) {
            throw new IllegalArgumentException("pathTests must be a list");
        }
        Map<Integer, Condition> byDepth = new HashMap<>();
        for (JsonNode test : tests.values()) {
            Location subPath = Location.parse(JsonFields.textOrNull(test, "subPath"));
            String conditionText = JsonFields.textOrNull(test, "condition");
            Condition condition;
            try {
                condition = Condition.valueOf(conditionText == null ? "" : conditionText);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(conditionText + " is not a valid path test condition");
            }
            if (!location.hasPrefix(subPath)) {
                throw new IllegalArgumentException("all subpaths must be a prefix of the `location` value of the mutation");
            }
            Condition previous = byDepth.put(subPath.size() - 1, condition);
            if (previous != null && previous != condition) {
                throw new IllegalArgumentException("conflicting path test conditions");
            }
        }
        return new PathTests(byDepth);
    }

    /** Whether the mutation may go on when something exists at this depth. */
    boolean existsOkay(int depth) {
        Condition c = byDepth.get(depth);
        return c == null || c == Condition.MustExist;
    }

    /** Whether the mutation may go on when nothing exists at this depth. */
    boolean missingOkay(int depth) {
        Condition c = byDepth.get(depth);
        return c == null || c == Condition.MustNotExist;
    }
}
