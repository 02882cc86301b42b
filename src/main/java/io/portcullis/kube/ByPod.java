package io.portcullis.kube;

import io.portcullis.constraint.InvalidTemplateException;
import io.portcullis.json.JsonFields;
import io.portcullis.engine.CompileError;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Gatekeeper's per-pod status entries ({@code status.byPod[]}, behaviour notes §1.3, §2.6, §5.1, §7.1): templates,
 * constraints, mutators, ExpansionTemplates and the Config. Gatekeeper has each
 * pod write a pod-status object that an aggregator folds into the list; here each replica merges its own entry into
 * the list directly (optimistically, on the resource version), keeping the others' entries sorted by id, and drops
 * entries of pods that no longer exist.
 */
final class ByPod {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private ByPod() {
    }

    /** Who this replica is: its pod name and the operations it runs (Gatekeeper's {@code --operation}s). */
    record Identity(String pod, List<String> operations) {
        Identity {
            operations = List.copyOf(operations);
        }
    }

    static ObjectNode templateEntry(Identity identity, JsonNode template, List<ObjectNode> errors) {
        ObjectNode entry = base(identity, template);
        entry.put("templateUID", KubeJson.uid(template));
        addErrors(entry, errors);
        return entry;
    }

    static ObjectNode constraintEntry(Identity identity, JsonNode constraint, boolean enforced, List<ObjectNode> errors) {
        ObjectNode entry = base(identity, constraint);
        entry.put("constraintUID", KubeJson.uid(constraint));
        entry.put("enforced", enforced);
        addErrors(entry, errors);
        return entry;
    }

    /** A Provider's entry (Gatekeeper's ProviderPodStatus): active when this pod put it in its provider cache. */
    static ObjectNode providerEntry(Identity identity, JsonNode provider, boolean active) {
        ObjectNode entry = base(identity, provider);
        entry.put("providerUID", KubeJson.uid(provider));
        entry.put("active", active);
        return entry;
    }

    /**
     * A mutator's entry (Gatekeeper's MutatorPodStatusStatus): {@code enforced} false, with the reason in
     * {@code errors}, when this replica refused the mutator or skips it for a schema conflict.
     */
    static ObjectNode mutatorEntry(Identity identity, JsonNode mutator, boolean enforced, List<ObjectNode> errors) {
        ObjectNode entry = base(identity, mutator);
        entry.put("mutatorUID", KubeJson.uid(mutator));
        entry.put("enforced", enforced);
        addErrors(entry, errors);
        return entry;
    }

    /** An ExpansionTemplate's entry (Gatekeeper's ExpansionTemplatePodStatusStatus). */
    static ObjectNode expansionTemplateEntry(Identity identity, JsonNode template, List<ObjectNode> errors) {
        ObjectNode entry = base(identity, template);
        entry.put("templateUID", KubeJson.uid(template));
        addErrors(entry, errors);
        return entry;
    }

    /** The Config's entry (Gatekeeper's ConfigPodStatusStatus). */
    static ObjectNode configEntry(Identity identity, JsonNode config, List<ObjectNode> errors) {
        ObjectNode entry = base(identity, config);
        entry.put("configUID", KubeJson.uid(config));
        addErrors(entry, errors);
        return entry;
    }

    /**
     * The status with this entry in place of the pod's previous one.
     *
     * @param livePods names of the pods that exist in our namespace, or null when unknown (nothing is dropped)
     */
    static ObjectNode merge(JsonNode status, ObjectNode entry, Set<String> livePods) {
        ObjectNode out = status instanceof ObjectNode o ? o.deepCopy() : NODES.objectNode();
        String id = JsonFields.text(entry.get("id"));
        List<JsonNode> entries = new ArrayList<>();
        for (JsonNode existing : out.path("byPod")) {
            String other = JsonFields.text(existing.get("id"));
            if (!other.equals(id) && (livePods == null || livePods.contains(other))) {
                entries.add(existing);
            }
        }
        entries.add(entry);
        entries.sort(Comparator.comparing(e -> JsonFields.text(e.get("id"))));
        ArrayNode byPod = out.putArray("byPod");
        entries.forEach(byPod::add);
        return out;
    }

    /** A template's status: the merged list, and {@code created}, which turns true once a pod has no errors and stays. */
    static ObjectNode mergeTemplate(JsonNode status, ObjectNode entry, Set<String> livePods) {
        ObjectNode out = merge(status, entry, livePods);
        boolean created = out.path("created").asBoolean(false) || !entry.has("errors");
        out.put("created", created);
        return out;
    }

    /**
     * Status errors for a template Gatekeeper would refuse: one per located compile error (with {@code location}
     * {@code module:line:column}), else one carrying the whole message. Ingest errors read "Could not ingest Rego:
     * ..." as Gatekeeper's do.
     */
    static List<ObjectNode> templateErrors(InvalidTemplateException e) {
        String prefix = InvalidTemplateException.INGEST_ERROR.equals(e.code()) ? "Could not ingest Rego: " : "";
        List<ObjectNode> errors = new ArrayList<>();
        for (CompileError error : e.errors()) {
            ObjectNode entry = error(e.code(), prefix + error.code() + ": " + error.message());
            if (error.module() != null && !error.module().isEmpty()) {
                entry.put("location", error.line() > 0 ? error.module() + ":" + error.line() + ":" + error.column()
                        : error.module());
            }
            errors.add(entry);
        }
        if (errors.isEmpty()) {
            errors.add(error(e.code(), prefix + e.getMessage()));
        }
        return errors;
    }

    static ObjectNode error(String code, String message) {
        ObjectNode error = NODES.objectNode();
        if (code != null && !code.isEmpty()) {
            error.put("code", code);
        }
        error.put("message", message);
        return error;
    }

    /**
     * An error of the kinds whose errors carry a {@code type} rather than a {@code code} (mutators, ExpansionTemplates,
     * Config); Gatekeeper leaves the type out unless it is a known class of error.
     */
    static ObjectNode typedError(String type, String message) {
        ObjectNode error = NODES.objectNode();
        if (type != null && !type.isEmpty()) {
            error.put("type", type);
        }
        error.put("message", message);
        return error;
    }

    private static ObjectNode base(Identity identity, JsonNode object) {
        ObjectNode entry = NODES.objectNode();
        entry.put("id", identity.pod());
        entry.put("observedGeneration", KubeJson.generation(object));
        ArrayNode operations = entry.putArray("operations");
        identity.operations().forEach(operations::add);
        return entry;
    }

    private static void addErrors(ObjectNode entry, List<ObjectNode> errors) {
        if (!errors.isEmpty()) {
            ArrayNode array = entry.putArray("errors");
            errors.forEach(array::add);
        }
    }
}
