package io.portcullis.mutation.gatekeeper;

import io.portcullis.mutation.error.MutationException;
import io.portcullis.mutation.gatekeeper.Location.Field;
import io.portcullis.mutation.gatekeeper.Location.ListEntry;
import java.util.ArrayList;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Walks a location through an object and lets a {@link Setter} change the value at its end, as Gatekeeper's
 * mutation function does: missing objects on the way are created, a missing element of a keyed list is appended
 * (with its key set), a glob visits only existing elements, and path tests can stop the walk at any depth.
 *
 * <p>Objects created on the way are attached only when the walk below them changed something, so a walk stopped
 * by a path test leaves no empty {@code securityContext: {}} behind.
 */
final class PathWalker {

    /** What to do at the end of the location. */
    interface Setter {
        /** Sets {@code parent[key]}; the walk has already checked the path tests. */
        void set(ObjectNode parent, String key) throws MutationException;

        /** Whether the location may end in a keyed list element (only Assign allows it). */
        boolean keyedListOkay();

        /** The object to put at a keyed list location. */
        ObjectNode keyedListValue() throws MutationException;
    }

    private final Location path;
    private final PathTests tests;
    private final Setter setter;

    PathWalker(Location path, PathTests tests, Setter setter) {
        this.path = path;
        this.tests = tests;
        this.setter = setter;
    }

    /** Returns whether the setter ran (Gatekeeper's "mutated", which does not mean the value differs). */
    boolean mutate(ObjectNode object) throws MutationException {
        return walk(object, 0);
    }

    private boolean walk(JsonNode current, int depth) throws MutationException {
        boolean last = depth == path.size() - 1;
        return switch (path.node(depth)) {
            case Field field -> {
                if (!(current instanceof ObjectNode object)) {
                    throw mismatch("object", current, depth);
                }
                boolean exists = object.has(field.name());
                if (exists ? !tests.existsOkay(depth) : !tests.missingOkay(depth)) {
                    yield false;
                }
                if (last) {
                    setter.set(object, field.name());
                    yield true;
                }
                JsonNode next = exists ? object.get(field.name()) : createMissing(depth);
                boolean mutated = walk(next, depth + 1);
                if (mutated && !exists) {
                    object.set(field.name(), next);
                }
                yield mutated;
            }
            case ListEntry entry -> {
                if (!(current instanceof ArrayNode list)) {
                    throw mismatch("list", current, depth);
                }
                if (last) {
                    if (!setter.keyedListOkay()) {
                        throw new MutationException("cannot mutate a keyed list element at " + path
                                + ": this mutator cannot set keyed list elements");
                    }
                    yield setListElement(list, entry, depth);
                }
                yield walkList(list, entry, depth);
            }
        };
    }

    private boolean walkList(ArrayNode list, ListEntry entry, int depth) throws MutationException {
        // MustNotExist on a glob can never hold: a glob only visits elements that exist.
        if (entry.glob() && !tests.existsOkay(depth)) {
            return false;
        }
        boolean mutated = false;
        boolean found = false;
        for (JsonNode element : new ArrayList<>(list.values())) {
            if (entry.glob()) {
                mutated |= walk(element, depth + 1);
                found = true;
            } else if (element instanceof ObjectNode object && object.has(entry.keyField())
                    && keyEquals(entry.keyValue(), object.get(entry.keyField()))) {
                if (!tests.existsOkay(depth)) {
                    return false;
                }
                mutated |= walk(element, depth + 1);
                found = true;
            }
        }
        if (!entry.glob() && !found) {
            if (!tests.missingOkay(depth)) {
                return false;
            }
            JsonNode created = createMissing(depth);
            boolean createdMutated = walk(created, depth + 1);
            if (createdMutated) {
                list.add(created);
            }
            mutated |= createdMutated;
        }
        return mutated;
    }

    private boolean setListElement(ArrayNode list, ListEntry entry, int depth) throws MutationException {
        if (entry.glob()) {
            throw new MutationException("last path entry can not be globbed: " + path);
        }
        ObjectNode value = setter.keyedListValue();
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof ObjectNode element)) {
                throw mismatch("object", list.get(i), depth);
            }
            if (element.has(entry.keyField()) && keyEquals(entry.keyValue(), element.get(entry.keyField()))) {
                if (!value.has(entry.keyField()) || !keyEquals(entry.keyValue(), value.get(entry.keyField()))) {
                    throw new MutationException("key value of replaced object must not change");
                }
                if (!tests.existsOkay(depth)) {
                    return false;
                }
                list.set(i, value);
                return true;
            }
        }
        if (!tests.missingOkay(depth)) {
            return false;
        }
        list.add(value);
        return true;
    }

    private JsonNode createMissing(int depth) throws MutationException {
        Location.Node next = path.node(depth + 1);
        if (path.node(depth) instanceof ListEntry entry) {
            if (next instanceof ListEntry) {
                throw new MutationException("two consecutive list path entries not allowed: " + path);
            }
            if (entry.keyValue() == null) {
                throw new MutationException("list entry has no key value: " + path);
            }
            ObjectNode element = JsonNodeFactory.instance.objectNode();
            element.set(entry.keyField(), keyNode(entry.keyValue()));
            return element;
        }
        return next instanceof ListEntry ? JsonNodeFactory.instance.arrayNode() : JsonNodeFactory.instance.objectNode();
    }

    static boolean keyEquals(Object key, JsonNode value) {
        if (key instanceof String s) {
            return value.isString() && value.stringValue().equals(s);
        }
        return key instanceof Long l && value.isIntegralNumber() && value.canConvertToLong() && value.longValue() == l;
    }

    static JsonNode keyNode(Object key) {
        return key instanceof Long l ? JsonNodeFactory.instance.numberNode(l) : JsonNodeFactory.instance.stringNode((String) key);
    }

    private MutationException mismatch(String expected, JsonNode found, int depth) {
        String type = found == null || found.isNull() ? "null" : found.getNodeType().name().toLowerCase();
        return new MutationException("mismatch between path entry (type: " + expected + ") and received object (type: "
                + type + ") at depth " + depth + " of location " + path);
    }
}
