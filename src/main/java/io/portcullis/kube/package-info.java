/**
 * Portcullis in a cluster ({@code portcullis.source=kubernetes}, {@code portcullis serve --kubernetes}).
 * {@link io.portcullis.kube.KubernetesPolicySource} installs the CRDs of k8s/crds at start and then keeps the
 * policies in step with the API server through fabric8 informers. Each controller has a {@code WorkQueue} of its
 * own, serialised per key, with one {@code Retry} rule (java-operator-sdk's EventProcessor and GenericRetry are the
 * model), so a template that takes seconds to compile holds up no other kind, no mutator and no binding:
 * <ul>
 *   <li>{@code TemplateController}: ConstraintTemplates compiled into the Validator, the constraint CRD Gatekeeper
 *       would generate applied server-side ({@code ConstraintCrd}), status.byPod written;</li>
 *   <li>{@code ConstraintController}: one informer per constraint kind once its template is loaded and its CRD is
 *       Established ({@code ConstraintCrds} watches the CRDs for both controllers);</li>
 *   <li>{@code InventoryController}: Config and SyncSets, the kinds they name replicated into data.inventory,
 *       Namespaces always;</li>
 *   <li>{@code MutationController}: SPO profiles and ProfileBindings and Gatekeeper mutators as the
 *       MutationConfig.</li>
 * </ul>
 * Status goes through {@code StatusWriter} on a thread of its own. The server is ready once what existed at start
 * is loaded.
 */
package io.portcullis.kube;
