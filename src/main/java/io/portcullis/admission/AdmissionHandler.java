package io.portcullis.admission;

/**
 * The seam between the HTTP transport and the policy logic: one request in, one response out.
 *
 * <p>The webhook runs each call on its own thread under a deadline; when the deadline passes the thread is
 * interrupted and the API server gets an error answer instead. A handler should therefore stop when
 * interrupted (the policy engine already does). An exception thrown here becomes {@code allowed: false} with
 * the exception's message, so a handler that wants Gatekeeper's exact wording for an error returns
 * {@link AdmissionResponse#errored} itself.
 *
 * <p>The request's JSON trees are shared and must be treated as read-only: a mutator works on a
 * {@code deepCopy()} of {@link AdmissionRequest#object()}.
 *
 * <p>In the server, the validating handler is the bean named {@value #VALIDATING} and the mutating one the
 * bean named {@value #MUTATING}; without such a bean the webhook allows everything.
 */
@FunctionalInterface
public interface AdmissionHandler {

    /** Bean name of the handler behind {@code /v1/admit}. */
    String VALIDATING = "validatingAdmissionHandler";

    /** Bean name of the handler behind {@code /v1/mutate}. */
    String MUTATING = "mutatingAdmissionHandler";

    AdmissionResponse handle(AdmissionRequest request);

    /**
     * Whether this request is answered without any policy, so it is handled even before the policies are in force
     * (Gatekeeper always allows its own service account: it installs its CRDs through a webhook that would
     * otherwise wait for itself). Every other request is refused until then.
     */
    default boolean needsNoPolicies(AdmissionRequest request) {
        return false;
    }
}
