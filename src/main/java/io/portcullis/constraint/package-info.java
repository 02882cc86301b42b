/**
 * Gatekeeper validation without the transport: ConstraintTemplates, constraints, {@code spec.match}, the Rego
 * input, {@code data.inventory}, and gator's {@code verify} and {@code test}.
 *
 * <p>Entry points:
 * <ul>
 *   <li>{@link io.portcullis.constraint.Validator}: the client. Add templates, constraints and inventory objects;
 *       {@code review(Review, EnforcementPoint)} returns the {@link io.portcullis.constraint.Result}s.</li>
 *   <li>{@link io.portcullis.constraint.Review}: what to review, built from an admission request
 *       (the webhook's typed {@code AdmissionRequest} or a suite's JSON, {@code ofAdmissionRequest}; one set of Go's
 *       rules renders both) or a bare object ({@code ofObject}, as audit and gator do).</li>
 *   <li>{@link io.portcullis.constraint.TemplateParser} and {@link io.portcullis.constraint.TemplateCompiler}: the
 *       template checks Gatekeeper makes at CRD creation and at ingestion, then OPA compilation.</li>
 *   <li>{@link io.portcullis.constraint.GatekeeperConfig}: the {@code Config} resource (sync and exclusions).</li>
 *   <li>{@link io.portcullis.constraint.SuiteRunner}: gator verify ({@code gator test} is io.portcullis.cli.GatorTest, as it expands).</li>
 * </ul>
 */
package io.portcullis.constraint;
