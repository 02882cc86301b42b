package io.portcullis.expansion;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.portcullis.json.JsonFields;
import io.portcullis.match.Matcher;
import io.portcullis.mutation.error.MutationException;
import io.portcullis.mutation.gatekeeper.Mutator;
import io.portcullis.mutation.gatekeeper.MutatorSystem;
import io.portcullis.mutation.gatekeeper.Mutators;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * gator's expander ([GK] pkg/gator/expand): the ExpansionTemplates, mutators and Namespaces among a set of input
 * objects, used by {@code expand} and {@code test}. An object is mutated as an Original object, then expanded.
 */
public final class Expander {
    private final ExpansionSystem expansion;
    private final MutatorSystem mutators;
    private final Map<String, JsonNode> namespaces;

    private Expander(ExpansionSystem expansion, MutatorSystem mutators, Map<String, JsonNode> namespaces) {
        this.expansion = expansion;
        this.mutators = mutators;
        this.namespaces = namespaces;
    }

    /** @throws IllegalArgumentException a mutator does not parse (its message) */
    public static Expander of(List<? extends JsonNode> objects)
            throws ExpansionTemplate.InvalidExpansionTemplateException {
        List<ExpansionTemplate> templates = new ArrayList<>();
        List<Mutator> mutators = new ArrayList<>();
        Map<String, JsonNode> namespaces = new HashMap<>();
        for (JsonNode object : objects) {
            if (Mutators.isMutator(object)) {
                mutators.add(Mutators.parse(object));
            } else if (ExpansionTemplate.isExpansionTemplate(object)) {
                templates.add(ExpansionTemplate.parse(object));
            } else if (JsonFields.text(object.path("apiVersion")).equals("v1")
                    && JsonFields.text(object.path("kind")).equals("Namespace")) {
                namespaces.put(JsonFields.name(object), object);
            }
        }
        return new Expander(new ExpansionSystem(templates), new MutatorSystem(mutators), namespaces);
    }

    public boolean isEmpty() {
        return expansion.isEmpty();
    }

    /** The object's resultants; the object itself is not changed. */
    public List<Resultant> expand(JsonNode object) throws ExpansionException {
        if (!(object instanceof ObjectNode original)) {
            throw new ExpansionException("cannot expand a resource that is not a JSON object");
        }
        JsonNode namespace = namespaceFor(object);
        ObjectNode base = original.deepCopy();
        try {
            mutators.mutate(base, namespace, Matcher.Source.ORIGINAL, null);
        } catch (MutationException e) {
            throw new ExpansionException("error mutating base resource " + JsonFields.name(object) + ": " + e.getMessage(), e);
        }
        try {
            return expansion.expand(base, namespace, mutators);
        } catch (ExpansionException e) {
            throw new ExpansionException("error expanding resource " + JsonFields.name(object) + ": " + e.getMessage(), e);
        }
    }

    /** gator's NamespaceForResource: none named, an empty Namespace; "default" exists even without its object. */
    private JsonNode namespaceFor(JsonNode object) {
        String name = JsonFields.namespace(object);
        if (name.isEmpty() || name.equals("default")) {
            ObjectNode ns = JsonNodeFactory.instance.objectNode().put("apiVersion", "v1").put("kind", "Namespace");
            ns.putObject("metadata").put("name", name);
            return namespaces.getOrDefault(name, ns);
        }
        return namespaces.get(name);
    }
}
