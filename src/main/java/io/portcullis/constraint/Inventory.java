package io.portcullis.constraint;

import io.portcullis.json.JsonFields;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The referential data templates read as {@code data.inventory}, laid out as Gatekeeper does
 * ([GK] pkg/target/target.go): {@code cluster[<groupVersion>][<Kind>][<name>]} for cluster-scoped objects and
 * {@code namespace[<ns>][<groupVersion>][<Kind>][<name>]} for namespaced ones. Namespaces added here also serve
 * as the fallback Namespace of reviews that carry none (Gatekeeper's cache of synced Namespaces). Thread-safe.
 */
public final class Inventory {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** The {@code data} document for templates at one version of the inventory. */
    public record Snapshot(long version, JsonNode data) {
    }

    /** The data of a template that does not read the inventory. */
    static final JsonNode EMPTY = NODES.objectNode();

    private final ObjectNode root = NODES.objectNode();
    /** Namespaces known for matching and namespaceObject whether or not they are synced into the data. */
    private final Map<String, JsonNode> knownNamespaces = new HashMap<>();
    private long version;
    private Snapshot snapshot = new Snapshot(0, NODES.objectNode());

    /** Adds or replaces an object; it must have a version and a kind. */
    public synchronized void add(JsonNode object) throws InvalidObjectException {
        List<String> path = path(object);
        ObjectNode parent = root;
        for (String segment : path.subList(0, path.size() - 1)) {
            JsonNode child = parent.get(segment);
            parent = child instanceof ObjectNode o ? o : parent.putObject(segment);
        }
        parent.set(path.getLast(), object.deepCopy());
        version++;
    }

    /** Removes the object with this object's path; answers whether there was one. */
    public synchronized boolean remove(JsonNode object) throws InvalidObjectException {
        List<String> path = path(object);
        List<ObjectNode> parents = new ArrayList<>();
        ObjectNode node = root;
        for (String segment : path.subList(0, path.size() - 1)) {
            parents.add(node);
            if (!(node.get(segment) instanceof ObjectNode child)) {
                return false;
            }
            node = child;
        }
        if (node.remove(path.getLast()) == null) {
            return false;
        }
        // Drop emptied intermediate objects, as OPA's store does not keep them either.
        for (int i = path.size() - 2; i >= 0 && node.isEmpty(); i--) {
            ObjectNode parent = parents.get(i);
            parent.remove(path.get(i));
            node = parent;
        }
        version++;
        return true;
    }

    public synchronized void clear() {
        root.removeAll();
        version++;
    }

    /** The current data document: {@code {"inventory": ...}}, or {@code {}} while nothing is synced. */
    public synchronized Snapshot snapshot() {
        if (snapshot.version() != version) {
            ObjectNode data = NODES.objectNode();
            if (!root.isEmpty()) {
                data.set("inventory", root.deepCopy());
            }
            snapshot = new Snapshot(version, data);
        }
        return snapshot;
    }

    /**
     * Keeps a Namespace for namespaceSelector and namespaceObject without putting it into {@code data.inventory}:
     * Gatekeeper caches Namespaces apart from what the Config syncs.
     */
    public synchronized void putNamespace(JsonNode namespace) {
        knownNamespaces.put(JsonFields.name(namespace), namespace.deepCopy());
    }

    public synchronized void removeNamespace(JsonNode namespace) {
        knownNamespaces.remove(JsonFields.name(namespace));
    }

    /** The core/v1 Namespace of that name, kept by {@link #putNamespace} or synced, or null. */
    public synchronized JsonNode namespace(String name) {
        JsonNode ns = knownNamespaces.get(name);
        if (ns == null) {
            ns = root.path("cluster").path("v1").path("Namespace").get(name);
        }
        return ns == null ? null : ns.deepCopy();
    }

    private static List<String> path(JsonNode object) throws InvalidObjectException {
        Gvk gvk = Gvk.of(object);
        String name = JsonFields.name(object);
        if (gvk.version().isEmpty()) {
            throw new InvalidObjectException("resource " + name + " has no version");
        }
        if (gvk.kind().isEmpty()) {
            throw new InvalidObjectException("resource " + name + " has no kind");
        }
        String ns = JsonFields.namespace(object);
        return ns.isEmpty()
                ? List.of("cluster", gvk.groupVersion(), gvk.kind(), name)
                : List.of("namespace", ns, gvk.groupVersion(), gvk.kind(), name);
    }
}
