/**
 * Mutating admission: Gatekeeper's mutators ({@code mutations.gatekeeper.sh}) and the profile binding of the
 * Security Profiles Operator ({@code security-profiles-operator.x-k8s.io}), in one pass with one JSON Patch.
 *
 * <p>Start at {@link io.portcullis.mutation.AdmissionMutator#mutate}: it takes a
 * {@link io.portcullis.mutation.MutationRequest} (operation, namespace, Namespace object, object) and a
 * {@link io.portcullis.mutation.MutationConfig} (profiles, bindings, mutators; read from files by
 * {@link io.portcullis.mutation.MutationConfigLoader}, or built with {@code MutationConfig.of} from objects parsed
 * by {@link io.portcullis.mutation.gatekeeper.Mutators#parse} and
 * {@link io.portcullis.mutation.profiles.SpoResources}), and returns a {@link io.portcullis.mutation.MutationResult}
 * or throws {@link io.portcullis.mutation.error.MutationException} when the request must be rejected.
 *
 * <p>Subpackages: {@code gatekeeper} (location paths, the four mutator kinds, ordering, convergence, schema
 * conflicts), {@code profiles} (SPO's profile and binding types, the binder). Mutators' {@code match} is
 * {@link io.portcullis.match.Match}, the one constraints use.
 * No Spring, no HTTP: the webhook layer adapts AdmissionReviews to these calls.
 */
package io.portcullis.mutation;
