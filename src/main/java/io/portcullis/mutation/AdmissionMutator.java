package io.portcullis.mutation;

import io.portcullis.mutation.error.MutationException;
import io.portcullis.json.JsonFields;
import io.portcullis.match.Matcher;
import io.portcullis.mutation.gatekeeper.MutatorId;
import io.portcullis.mutation.gatekeeper.ProviderCalls;
import io.portcullis.mutation.profiles.ProfileBinder;
import io.portcullis.mutation.profiles.ProfileBinder.Bound;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Mutates one admitted object with Gatekeeper's mutators and SPO's profile bindings, and returns the result with
 * one combined JSON Patch. Stateless and thread-safe; the configuration is passed per call.
 *
 * <p>Order: Gatekeeper's mutators run first (to convergence), then profile binding on their result. That is the
 * order the API server calls the two projects' webhooks in ({@code gatekeeper-mutating-webhook-configuration}
 * sorts before {@code spo-mutating-webhook-configuration}), so a cluster that replaces both with Portcullis sees
 * the same objects. It also means bindings match the images an AssignImage produced, and a bound profile wins over
 * a mutator's default.
 *
 * <p>Gatekeeper's own checks (§7.4 of the behaviour notes): only CREATE and UPDATE are mutated, Gatekeeper's own
 * resources are not, and the object's namespace is set to the request's namespace while matching, then restored
 * so the patch never touches it. Profiles are bound on CREATE only; UPDATE, DELETE and CONNECT never fail because
 * of bindings.
 */
public final class AdmissionMutator {
    private static final Set<String> MUTATED_OPERATIONS = Set.of("CREATE", "UPDATE");
    private static final Set<String> GATEKEEPER_GROUPS = Set.of("templates.gatekeeper.sh", "constraints.gatekeeper.sh",
            "mutations.gatekeeper.sh", "config.gatekeeper.sh", "externaldata.gatekeeper.sh", "expansion.gatekeeper.sh",
            "status.gatekeeper.sh");

    private final ProfileBinder binder;
    private final ProviderCalls providerCalls;

    /** Rejects pods bound to a profile that has no status yet, as SPO does; no external data providers. */
    public AdmissionMutator() {
        this(new ProfileBinder());
    }

    public AdmissionMutator(ProfileBinder binder) {
        this(binder, ProviderCalls.NONE);
    }

    /** @param providerCalls answers the external data of Assign mutators */
    public AdmissionMutator(ProfileBinder binder, ProviderCalls providerCalls) {
        this.binder = binder;
        this.providerCalls = providerCalls;
    }

    /**
     * @throws MutationException the request must be rejected ({@link MutationException#code()} gives 400 or 500)
     */
    public MutationResult mutate(MutationRequest request, MutationConfig config) throws MutationException {
        String operation = request.operation() == null ? null : request.operation().toUpperCase(Locale.ROOT);
        if (operation != null && !MUTATED_OPERATIONS.contains(operation)) {
            // DELETE requests carry no object; nothing here may fail them.
            return new MutationResult(request.object(), JsonNodeFactory.instance.arrayNode(), List.of(), List.of(),
                    "Mutating only on create or update");
        }
        if (!(request.object() instanceof ObjectNode original)) {
            throw new MutationException(400, "the object to mutate is not a JSON object", null);
        }
        String group = JsonFields.group(original);
        if (GATEKEEPER_GROUPS.contains(group)) {
            return unchanged(original, "Not mutating gatekeeper resources");
        }
        boolean isNamespace = group.isEmpty() && "Namespace".equals(JsonFields.textOrNull(original, "kind"));
        // Gatekeeper clears request.namespace for Namespace objects; a Namespace is its own namespace object.
        String namespace = isNamespace || request.namespace() == null ? "" : request.namespace();
        JsonNode namespaceObject = isNamespace ? original : request.namespaceObject();

        ObjectNode object = original.deepCopy();
        JsonNode metadataBefore = object.get("metadata");
        JsonNode namespaceBefore = metadataBefore == null ? null : metadataBefore.get("namespace");
        if (!namespace.isEmpty()) {
            object.withObjectProperty("metadata").put("namespace", namespace);
        }

        List<MutatorId> applied = config.mutators().mutate(object, namespaceObject, Matcher.Source.ORIGINAL, operation,
                request.username(), providerCalls);
        Map<String, String> namespaceLabels = JsonFields.stringMap(
                namespaceObject == null ? null : namespaceObject.path("metadata"), "labels");
        List<Bound> bound = binder.bind(object, operation, namespace, namespaceLabels, config.bindings(), config.profiles());

        restoreNamespace(object, metadataBefore, namespaceBefore);
        MutationResult result = new MutationResult(object, JsonPatches.diff(original, object), applied, bound, "Resource was mutated");
        return result.changed() ? result : unchanged(original, "Resource was not mutated");
    }

    private static void restoreNamespace(ObjectNode object, JsonNode metadataBefore, JsonNode namespaceBefore) {
        if (metadataBefore == null) {
            if (object.get("metadata") instanceof ObjectNode metadata) {
                metadata.remove("namespace");
                if (metadata.isEmpty()) {
                    object.remove("metadata");
                }
            }
            return;
        }
        if (object.get("metadata") instanceof ObjectNode metadata) {
            if (namespaceBefore == null) {
                metadata.remove("namespace");
            } else {
                metadata.set("namespace", namespaceBefore);
            }
        }
    }

    private static MutationResult unchanged(ObjectNode original, String message) {
        return new MutationResult(original, original.arrayNode(), List.of(), List.of(), message);
    }
}
