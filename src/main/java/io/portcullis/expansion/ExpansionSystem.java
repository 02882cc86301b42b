package io.portcullis.expansion;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.portcullis.constraint.Gvk;
import io.portcullis.json.JsonFields;
import io.portcullis.match.Matcher;
import io.portcullis.mutation.error.MutationException;
import io.portcullis.mutation.gatekeeper.MutatorSystem;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The ExpansionTemplates in force and Gatekeeper's expansion ([GK] pkg/expansion/system.go): an object a template
 * applies to yields the object at its {@code templateSource}, given the generated kind, the parent's namespace, the
 * name {@code <parent>-<kind>} and the parent as owner, then mutated by the Gatekeeper mutators with source
 * Generated; resultants are expanded again, up to a depth of 30.
 *
 * <p>Immutable. With no templates ({@link #isEmpty}) callers skip expansion altogether, so it costs nothing.
 */
public final class ExpansionSystem {
    public static final ExpansionSystem EMPTY = new ExpansionSystem(List.of());
    private static final int MAX_RECURSION_DEPTH = 30;

    /** By name, so an object is expanded by its templates in a stable order. */
    private final Map<String, ExpansionTemplate> templates = new TreeMap<>();

    public ExpansionSystem(Collection<ExpansionTemplate> templates) {
        templates.forEach(t -> this.templates.put(t.name(), t));
    }

    public boolean isEmpty() {
        return templates.isEmpty();
    }

    public Collection<ExpansionTemplate> templates() {
        return templates.values();
    }

    /** Whether some template applies to objects of this kind: the webhook's cheap test before expanding. */
    public boolean expands(Gvk gvk) {
        for (ExpansionTemplate t : templates.values()) {
            if (t.appliesTo(gvk)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Every resultant of the object, deepest first as Gatekeeper lists them. The object is not changed.
     *
     * @param namespace the parent's Namespace object, or null (then the parent's metadata.namespace is used)
     * @param mutators the Gatekeeper mutators to apply to each resultant
     */
    public List<Resultant> expand(JsonNode object, JsonNode namespace, MutatorSystem mutators)
            throws ExpansionException {
        List<Resultant> resultants = new ArrayList<>();
        expand(object, namespace, mutators, resultants, 0);
        return resultants;
    }

    private void expand(JsonNode base, JsonNode namespace, MutatorSystem mutators, List<Resultant> out, int depth)
            throws ExpansionException {
        if (depth >= MAX_RECURSION_DEPTH) {
            throw new ExpansionException("maximum recursion depth of " + MAX_RECURSION_DEPTH + " reached");
        }
        Gvk gvk = Gvk.of(base);
        if (gvk.version().isEmpty() && gvk.kind().isEmpty()) {
            throw new ExpansionException("cannot expand resource " + JsonFields.name(base) + " with empty GVK");
        }
        List<Resultant> direct = new ArrayList<>();
        for (ExpansionTemplate template : templates.values()) {
            if (template.appliesTo(gvk)) {
                direct.add(new Resultant(expandOne(base, namespace, template), template.name(),
                        template.enforcementAction()));
            }
        }
        for (Resultant r : direct) {
            try {
                mutators.mutate(r.object(), namespace, Matcher.Source.GENERATED, null);
            } catch (MutationException e) {
                throw new ExpansionException("failed to mutate resultant resource " + JsonFields.name(r.object()) + ": "
                        + e.getMessage(), e);
            }
        }
        for (Resultant r : direct) {
            expand(r.object(), namespace, mutators, out, depth + 1);
        }
        out.addAll(direct);
    }

    private static ObjectNode expandOne(JsonNode parent, JsonNode namespace, ExpansionTemplate template)
            throws ExpansionException {
        JsonNode source = parent;
        for (String field : template.templateSource().split("\\.", -1)) {
            if (!source.isObject()) {
                throw new ExpansionException("could not extract source field from unstructured: "
                        + template.templateSource() + " accessor error: " + source + " is not a map");
            }
            source = source.path(field);
        }
        if (source.isMissingNode() || source.isNull()) {
            throw new ExpansionException("could not find source field \"" + template.templateSource()
                    + "\" in resource " + JsonFields.name(parent));
        }
        if (!source.isObject()) {
            throw new ExpansionException("could not extract source field from unstructured: "
                    + template.templateSource() + " accessor error: " + source + " is not a map");
        }
        ObjectNode resource = ((ObjectNode) source).deepCopy();
        Gvk generated = template.generatedGvk();
        resource.put("apiVersion", generated.group().isEmpty() ? generated.version()
                : generated.group() + "/" + generated.version());
        resource.put("kind", generated.kind());
        ObjectNode metadata = resource.path("metadata").isObject() ? (ObjectNode) resource.get("metadata")
                : resource.putObject("metadata");
        // As Go's SetNamespace: an empty namespace removes the field.
        String namespaceName = namespace != null ? JsonFields.name(namespace) : JsonFields.namespace(parent);
        if (namespaceName.isEmpty()) {
            metadata.remove("namespace");
        } else {
            metadata.put("namespace", namespaceName);
        }
        metadata.put("name", template.resultantName(JsonFields.name(parent)));
        addOwner(metadata, parent);
        return resource;
    }

    private static void addOwner(ObjectNode metadata, JsonNode parent) {
        String apiVersion = parent.path("apiVersion").isString() ? parent.path("apiVersion").asString() : "";
        String kind = parent.path("kind").isString() ? parent.path("kind").asString() : "";
        String name = JsonFields.name(parent);
        if (apiVersion.isEmpty() || kind.isEmpty() || name.isEmpty()) {
            return;
        }
        ArrayNode owners = metadata.path("ownerReferences").isArray() ? (ArrayNode) metadata.get("ownerReferences")
                : metadata.putArray("ownerReferences");
        for (JsonNode ref : owners) {
            if (apiVersion.equals(ref.path("apiVersion").asString("")) && kind.equals(ref.path("kind").asString(""))
                    && name.equals(ref.path("name").asString(""))) {
                return;
            }
        }
        owners.addObject().put("apiVersion", apiVersion).put("kind", kind).put("name", name);
    }
}
