package io.portcullis.mutation.gatekeeper;

import io.portcullis.match.Match;
import io.portcullis.json.JsonFields;
import io.portcullis.mutation.gatekeeper.Location.Field;
import io.portcullis.mutation.gatekeeper.Location.ListEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * Builds {@link Mutator}s from mutator objects, with the checks Gatekeeper's admission of mutators makes. A mutator
 * that fails them would never have entered Gatekeeper, so it is an {@link InvalidMutatorException} here.
 */
public final class Mutators {
    public static final String GROUP = "mutations.gatekeeper.sh";
    public static final Set<String> VERSIONS = Set.of("v1", "v1beta1", "v1alpha1");
    public static final Set<String> KINDS = Set.of("Assign", "AssignMetadata", "ModifySet", "AssignImage");

    private Mutators() {
    }

    /** Whether the object is a mutator kind this class reads. */
    public static boolean isMutator(JsonNode object) {
        String apiVersion = JsonFields.textOrNull(object, "apiVersion");
        return apiVersion != null && apiVersion.startsWith(GROUP + "/")
                && VERSIONS.contains(apiVersion.substring(GROUP.length() + 1))
                && KINDS.contains(JsonFields.textOrNull(object, "kind"));
    }

    /** The mutator an object describes. */
    public static Mutator parse(JsonNode object) {
        if (!isMutator(object)) {
            throw new InvalidMutatorException("not a Gatekeeper mutator: apiVersion "
                    + JsonFields.textOrNull(object, "apiVersion") + ", kind " + JsonFields.textOrNull(object, "kind"));
        }
        String kind = JsonFields.textOrNull(object, "kind");
        String name = JsonFields.textOrNull(object.path("metadata"), "name");
        if (name == null || name.isEmpty()) {
            throw new InvalidMutatorException(kind + " without metadata.name");
        }
        try {
            if (name.length() > 63) {
                throw new IllegalArgumentException("name is longer than 63 characters");
            }
            JsonNode spec = object.path("spec");
            MutatorId id = new MutatorId(kind, name);
            Location location = Location.parse(JsonFields.textOrNull(spec, "location"));
            List<String> matchErrors = new ArrayList<>();
            Match match = Match.parse(spec.get("match"), matchErrors);
            if (!matchErrors.isEmpty()) {
                throw new IllegalArgumentException(String.join(", ", matchErrors));
            }
            JsonNode parameters = spec.path("parameters");
            return switch (kind) {
                case "Assign" -> assign(id, spec, location, match, parameters);
                case "AssignMetadata" -> assignMetadata(id, location, match, parameters);
                case "ModifySet" -> modifySet(id, spec, location, match, parameters);
                case "AssignImage" -> assignImage(id, spec, location, match, parameters);
                default -> throw new IllegalStateException(kind);
            };
        } catch (IllegalArgumentException e) {
            throw new InvalidMutatorException(kind + " " + name + ": " + e.getMessage(), e);
        }
    }

    private static Assign assign(MutatorId id, JsonNode spec, Location location, Match match, JsonNode parameters) {
        List<ApplyTo> applyTo = ApplyTo.parseAll(spec.get("applyTo"), id.name(), id.kind());
        if (location.startsAtMetadata()) {
            throw new IllegalArgumentException("assign " + id.name() + " can't change metadata");
        }
        checkKeyNotChanged(location);
        JsonNode assign = parameters.path("assign");
        boolean hasValue = assign.has("value");
        String fromMetadata = fromMetadata(assign);
        JsonNode external = assign.get("externalData");
        ExternalDataRef externalData = external == null || external.isNull() ? null : ExternalDataRef.parse(external);
        int sources = (hasValue ? 1 : 0) + (fromMetadata != null ? 1 : 0) + (externalData != null ? 1 : 0);
        if (sources != 1) {
            throw new IllegalArgumentException("parameters.assign must set exactly one of value, fromMetadata or externalData");
        }
        if (location.last() instanceof ListEntry entry) {
            if (fromMetadata != null) {
                throw new IllegalArgumentException("cannot assign a metadata field to a list");
            }
            if (externalData != null) {
                throw new IllegalArgumentException("cannot assign external data response to a list");
            }
            if (entry.glob()) {
                throw new IllegalArgumentException("can't append to a globbed list");
            }
            JsonNode value = assign.get("value");
            if (!value.isObject()) {
                throw new IllegalArgumentException("invalid value: `" + value + "`, only objects can be added to keyed lists");
            }
            if (!value.has(entry.keyField()) || !PathWalker.keyEquals(entry.keyValue(), value.get(entry.keyField()))) {
                throw new IllegalArgumentException("adding object to list with different key " + entry.keyField()
                        + ": list key " + entry.keyValue() + ", object key " + value.get(entry.keyField()));
            }
        }
        return new Assign(id, applyTo, match, location, PathTests.parse(parameters.get("pathTests"), location),
                hasValue ? assign.get("value").deepCopy() : null, fromMetadata, externalData);
    }

    private static AssignMetadata assignMetadata(MutatorId id, Location location, Match match, JsonNode parameters) {
        boolean metadataPath = location.size() == 3
                && location.nodes().stream().allMatch(n -> n instanceof Field)
                && location.node(0).equals(new Field("metadata"))
                && (location.node(1).equals(new Field("labels")) || location.node(1).equals(new Field("annotations")));
        if (!metadataPath) {
            throw new IllegalArgumentException("invalid location for assignmetadata " + id.name() + ": " + location
                    + " (must be metadata.labels.<key> or metadata.annotations.<key>)");
        }
        JsonNode assign = parameters.path("assign");
        String fromMetadata = fromMetadata(assign);
        rejectExternalData(assign);
        boolean hasValue = assign.has("value");
        if (hasValue == (fromMetadata != null)) {
            throw new IllegalArgumentException("parameters.assign must set exactly one of value, fromMetadata or externalData");
        }
        if (hasValue && !assign.get("value").isString()) {
            throw new IllegalArgumentException("spec.parameters.assign.value field must be a string for AssignMetadata \""
                    + id.name() + "\"");
        }
        return new AssignMetadata(id, match, location, hasValue ? assign.get("value").stringValue() : null, fromMetadata);
    }

    private static ModifySet modifySet(MutatorId id, JsonNode spec, Location location, Match match, JsonNode parameters) {
        List<ApplyTo> applyTo = ApplyTo.parseAll(spec.get("applyTo"), id.name(), id.kind());
        if (location.startsAtMetadata()) {
            throw new IllegalArgumentException("modifyset " + id.name() + " can't change metadata");
        }
        if (location.last() instanceof ListEntry) {
            throw new IllegalArgumentException("final node in a modifyset location cannot be a keyed list");
        }
        String operationText = JsonFields.textOrNull(parameters, "operation");
        ModifySet.Operation operation = switch (operationText == null ? "merge" : operationText) {
            case "merge" -> ModifySet.Operation.MERGE;
            case "prune" -> ModifySet.Operation.PRUNE;
            default -> throw new IllegalArgumentException("unrecognized operation for modifyset: " + operationText);
        };
        JsonNode fromList = parameters.path("values").get("fromList");
        List<JsonNode> values = new ArrayList<>();
        if (fromList != null && !fromList.isNull()) {
            if (!fromList.isArray()) {
                throw new IllegalArgumentException("parameters.values.fromList must be a list");
            }
            fromList.values().forEach(v -> values.add(v.deepCopy()));
        }
        return new ModifySet(id, applyTo, match, location, PathTests.parse(parameters.get("pathTests"), location),
                operation, values);
    }

    private static AssignImage assignImage(MutatorId id, JsonNode spec, Location location, Match match, JsonNode parameters) {
        List<ApplyTo> applyTo = ApplyTo.parseAll(spec.get("applyTo"), id.name(), id.kind());
        if (location.startsAtMetadata()) {
            throw new IllegalArgumentException("assignImage " + id.name() + " can't change metadata");
        }
        if (location.last() instanceof ListEntry) {
            throw new IllegalArgumentException("assignImage " + id.name() + " can't assign to a list: the location must end in a field");
        }
        checkKeyNotChanged(location);
        String domain = orEmpty(JsonFields.textOrNull(parameters, "assignDomain"));
        String path = orEmpty(JsonFields.textOrNull(parameters, "assignPath"));
        String tag = orEmpty(JsonFields.textOrNull(parameters, "assignTag"));
        ImageReference.validateParts(domain, path, tag);
        return new AssignImage(id, applyTo, match, location, PathTests.parse(parameters.get("pathTests"), location),
                domain, path, tag);
    }

    /** A path such as {@code [name: x].name} would let the mutator rename the element it selected. */
    private static void checkKeyNotChanged(Location location) {
        for (int i = 0; i + 1 < location.size(); i++) {
            if (location.node(i) instanceof ListEntry entry && location.node(i + 1) instanceof Field field
                    && field.name().equals(entry.keyField())) {
                throw new IllegalArgumentException("invalid path format: changing the key field \"" + entry.keyField()
                        + "\" of a keyed list element is not allowed: " + location);
            }
        }
    }

    private static String fromMetadata(JsonNode assign) {
        JsonNode from = assign.get("fromMetadata");
        if (from == null || from.isNull()) {
            return null;
        }
        String field = JsonFields.textOrNull(from, "field");
        if (!"namespace".equals(field) && !"name".equals(field)) {
            throw new IllegalArgumentException("unknown value for fromMetadata.field: " + field + " (use namespace or name)");
        }
        return field;
    }

    /** External data in AssignMetadata is not implemented yet (Assign has it). */
    private static void rejectExternalData(JsonNode assign) {
        JsonNode external = assign.get("externalData");
        if (external != null && !external.isNull()) {
            throw new IllegalArgumentException("external data is not supported in AssignMetadata yet: "
                    + "parameters.assign.externalData cannot be used");
        }
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    /** The object is not a valid mutator. */
    public static final class InvalidMutatorException extends IllegalArgumentException {
        public InvalidMutatorException(String message) {
            super(message);
        }

        public InvalidMutatorException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
