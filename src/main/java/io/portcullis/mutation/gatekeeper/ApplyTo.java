package io.portcullis.mutation.gatekeeper;

import io.portcullis.json.JsonFields;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * One {@code spec.applyTo} entry: the kinds (by group, version and kind, no globs) and operations a mutator may
 * change. GVK and operation must match on the same entry. Empty {@code operations} means every operation the
 * mutation webhook handles, CREATE and UPDATE.
 */
public record ApplyTo(List<String> groups, List<String> versions, List<String> kinds, List<String> operations) {
    /** The operations the mutation webhook is called for. */
    public static final Set<String> MUTATING_OPERATIONS = Set.of("CREATE", "UPDATE");

    public ApplyTo {
        groups = List.copyOf(groups);
        versions = List.copyOf(versions);
        kinds = List.copyOf(kinds);
        operations = List.copyOf(operations);
    }

    static List<ApplyTo> parseAll(JsonNode node, String mutatorName, String kind) {
        if (node == null || node.isNull() || !node.isArray() || node.isEmpty()) {
            throw new IllegalArgumentException(kind + " " + mutatorName + " needs a non-empty spec.applyTo");
        }
        List<ApplyTo> entries = new ArrayList<>();
        for (JsonNode entry : node.values()) {
            ApplyTo applyTo = new ApplyTo(JsonFields.strings(entry, "groups"), JsonFields.strings(entry, "versions"),
                    JsonFields.strings(entry, "kinds"), JsonFields.strings(entry, "operations"));
            if (applyTo.groups.isEmpty() || applyTo.versions.isEmpty() || applyTo.kinds.isEmpty()) {
                throw new IllegalArgumentException(kind + " " + mutatorName
                        + ": every applyTo entry needs non-empty groups, versions and kinds");
            }
            for (List<String> values : List.of(applyTo.groups, applyTo.versions, applyTo.kinds)) {
                if (values.stream().anyMatch(v -> v.contains("*"))) {
                    throw new IllegalArgumentException(kind + " " + mutatorName + ": applyTo does not allow globs");
                }
            }
            for (String operation : applyTo.operations) {
                if (!operation.equals("*") && !MUTATING_OPERATIONS.contains(operation)) {
                    throw new IllegalArgumentException(kind + " " + mutatorName + ": applyTo operation " + operation
                            + " is not supported, use CREATE, UPDATE or *");
                }
            }
            entries.add(applyTo);
        }
        return List.copyOf(entries);
    }

    /**
     * Whether this entry covers the object kind and operation. A null operation (no admission request, e.g. the
     * CLI without --operation) matches only entries that cover every mutating operation.
     */
    public boolean matches(String group, String version, String kind, String operation) {
        if (!groups.contains(group) || !versions.contains(version) || !kinds.contains(kind)) {
            return false;
        }
        if (operations.isEmpty() || operations.contains("*")) {
            return true;
        }
        return operation == null ? operations.containsAll(MUTATING_OPERATIONS) : operations.contains(operation);
    }
}
