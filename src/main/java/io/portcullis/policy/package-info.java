/**
 * What is in force: templates and constraints (a {@link io.portcullis.constraint.Validator}), Gatekeeper's
 * Config and the mutation configuration, as one {@link PolicySnapshot} that the webhooks read. It is fed by local
 * directories in standalone mode ({@link DirectoryPolicySource}) or by the cluster.
 */
package io.portcullis.policy;
