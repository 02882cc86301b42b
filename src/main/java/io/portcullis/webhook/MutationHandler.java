package io.portcullis.webhook;

import io.portcullis.policy.PortcullisProperties;
import io.portcullis.admission.AdmissionHandler;
import io.portcullis.admission.AdmissionRequest;
import io.portcullis.admission.AdmissionResponse;
import io.portcullis.admission.Operation;
import io.portcullis.constraint.GatekeeperConfig;
import io.portcullis.mutation.AdmissionMutator;
import io.portcullis.mutation.error.MutationException;
import io.portcullis.mutation.MutationRequest;
import io.portcullis.mutation.MutationResult;
import io.portcullis.policy.ActivePolicies;
import io.portcullis.policy.PolicySnapshot;
import java.util.List;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

/**
 * {@code /v1/mutate}: Gatekeeper's mutators and SPO's profile bindings in one pass, answered with one JSON Patch.
 * Gatekeeper's order of checks (§7.4 of the behaviour notes): our own service account passes, Config exclusions
 * for the {@code mutation-webhook} process pass, then the object is mutated; an unchanged object is allowed with
 * {@code Resource was not mutated} and no patch. The request's Namespace comes from the synced inventory, else
 * from the Namespaces given to the mutation configuration (standalone), so bindings see the namespace's opt-in
 * label.
 */
@Component(AdmissionHandler.MUTATING)
public class MutationHandler implements AdmissionHandler {
    private final ActivePolicies policies;
    private final AdmissionMutator mutator;
    private final String ownServiceAccount;

    public MutationHandler(ActivePolicies policies, AdmissionMutator mutator, PortcullisProperties properties) {
        this.policies = policies;
        this.mutator = mutator;
        this.ownServiceAccount = properties.ownServiceAccount();
    }

    @Override
    public boolean needsNoPolicies(AdmissionRequest request) {
        return request.userInfo().username().equals(ownServiceAccount);
    }

    @Override
    public AdmissionResponse handle(AdmissionRequest request) {
        if (needsNoPolicies(request)) {
            return AdmissionResponse.allow("Portcullis does not self-manage");
        }
        PolicySnapshot snapshot = policies.current();
        boolean mutable = request.operation() == Operation.CREATE || request.operation() == Operation.UPDATE;
        if (mutable && snapshot.config().isExcluded(GatekeeperConfig.Process.MUTATION_WEBHOOK, request.object(),
                request.namespace())) {
            return AdmissionResponse.allow("Namespace is set to be ignored by Gatekeeper config");
        }
        JsonNode namespace = null;
        if (!request.namespace().isEmpty()) {
            namespace = snapshot.validator().inventory().namespace(request.namespace());
            if (namespace == null) {
                namespace = snapshot.mutation().namespaces().get(request.namespace());
            }
        }
        MutationRequest mutation = new MutationRequest(request.operation().name(), request.namespace(), namespace,
                request.object().isNull() ? null : request.object(), request.userInfo().username());
        try {
            MutationResult result = mutator.mutate(mutation, snapshot.mutation());
            // Gatekeeper sends no patch at all for an unchanged object, only the reason.
            return result.changed() ? AdmissionResponse.patch(result.patch(), List.of())
                    : AdmissionResponse.allow(result.message());
        } catch (MutationException e) {
            return AdmissionResponse.errored(e.code(), e.getMessage());
        }
    }
}
