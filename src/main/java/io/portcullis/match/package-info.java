/**
 * Gatekeeper's {@code spec.match}, the one implementation constraints and mutators share, as Gatekeeper's
 * {@code pkg/mutation/match} serves both (behaviour notes §2.2-2.4, §7.1).
 *
 * <p>{@link io.portcullis.match.Match#parse} reads a {@code match} into a {@link io.portcullis.match.Match};
 * {@link io.portcullis.match.Matcher} decides whether an object (with its Namespace and its
 * {@link io.portcullis.match.Matcher.Source}) is in scope, or throws a {@link io.portcullis.match.MatchException}
 * when that cannot be decided. {@link io.portcullis.match.LabelSelector} and {@link io.portcullis.match.Wildcard}
 * are the Kubernetes label selectors and Gatekeeper's namespace/name globs it uses; the SPO profile binding uses
 * the same label selectors for its {@code podSelector}. Mutators' {@code applyTo} is not part of the match and
 * lives with the mutators.
 */
package io.portcullis.match;
