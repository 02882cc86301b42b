package io.portcullis.webhook;

import io.portcullis.admission.AdmissionHandler;
import io.portcullis.admission.AdmissionRequest;
import io.portcullis.admission.AdmissionResponse;
import io.portcullis.mutation.AdmissionMutator;
import io.portcullis.mutation.MutationException;
import io.portcullis.mutation.MutationRequest;
import io.portcullis.mutation.MutationResult;
import io.portcullis.policy.ActivePolicies;
import io.portcullis.policy.PolicySnapshot;
import java.util.List;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

/**
 * {@code /v1/mutate}: Gatekeeper's mutators and SPO's profile bindings in one pass, answered with one JSON Patch.
 * The request's Namespace comes from the synced inventory, else from the Namespaces given to the mutation
 * configuration (standalone), so bindings see the namespace's opt-in label.
 */
@Component(AdmissionHandler.MUTATING)
public class MutationHandler implements AdmissionHandler {
    private final ActivePolicies policies;
    private final AdmissionMutator mutator;

    public MutationHandler(ActivePolicies policies, AdmissionMutator mutator) {
        this.policies = policies;
        this.mutator = mutator;
    }

    @Override
    public AdmissionResponse handle(AdmissionRequest request) {
        PolicySnapshot snapshot = policies.current();
        JsonNode namespace = null;
        if (!request.namespace().isEmpty()) {
            namespace = snapshot.validator().inventory().namespace(request.namespace());
            if (namespace == null) {
                namespace = snapshot.mutation().namespaces().get(request.namespace());
            }
        }
        MutationRequest mutation = new MutationRequest(request.operation().name(), request.namespace(), namespace,
                request.object().isNull() ? null : request.object());
        try {
            MutationResult result = mutator.mutate(mutation, snapshot.mutation());
            return AdmissionResponse.patch(result.patch(), List.of());
        } catch (MutationException e) {
            return AdmissionResponse.errored(e.code(), e.getMessage());
        }
    }
}
