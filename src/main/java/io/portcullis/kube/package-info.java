/**
 * Portcullis in a cluster ({@code portcullis.source=kubernetes}, {@code portcullis serve --kubernetes}).
 * {@link io.portcullis.kube.KubernetesPolicySource} installs the CRDs of k8s/crds at start and then keeps the
 * policies in step with the API server through fabric8 informers, all handled on one worker thread:
 * <ul>
 *   <li>{@code TemplateController}: ConstraintTemplates compiled into the Validator, the constraint CRD Gatekeeper
 *       would generate applied server-side ({@code ConstraintCrd}), status.byPod written;</li>
 *   <li>{@code ConstraintController}: one informer per constraint kind once its CRD is Established;</li>
 *   <li>{@code InventoryController}: Config and SyncSets, the kinds they name replicated into data.inventory,
 *       Namespaces always;</li>
 *   <li>{@code MutationController}: SPO profiles and ProfileBindings and Gatekeeper mutators as the
 *       MutationConfig.</li>
 * </ul>
 * Status goes through {@code StatusWriter} on a thread of its own. The server is ready once what existed at start
 * is loaded.
 */
package io.portcullis.kube;
