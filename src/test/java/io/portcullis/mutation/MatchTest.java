package io.portcullis.mutation;

import static io.portcullis.mutation.TestObjects.namespace;
import static io.portcullis.mutation.TestObjects.yaml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portcullis.mutation.match.Match;
import io.portcullis.mutation.match.MatchException;
import io.portcullis.mutation.match.MatchTarget;
import io.portcullis.mutation.match.Wildcard;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Gatekeeper's match criteria, one by one (behaviour notes §2.2). */
class MatchTest {
    private static final JsonNode PROD = namespace("prod", "env", "prod");
    private static final JsonNode POD = yaml("""
            apiVersion: v1
            kind: Pod
            metadata: {generateName: web-, namespace: prod, labels: {app: web}}
            """);
    private static final JsonNode NAMESPACE = namespace("team-a", "env", "dev");
    private static final JsonNode CLUSTER_ROLE = yaml("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: viewer}\n");

    private static boolean matches(String match, JsonNode object, JsonNode ns) throws MatchException {
        return Match.parse(yaml(match)).matches(MatchTarget.original(object, ns));
    }

    @Test
    void kindsAndScope() throws Exception {
        assertThat(matches("kinds: [{apiGroups: [\"\"], kinds: [Pod]}]", POD, PROD)).isTrue();
        assertThat(matches("kinds: [{apiGroups: [apps], kinds: [Pod]}]", POD, PROD)).isFalse();
        assertThat(matches("kinds: [{apiGroups: [\"*\"], kinds: []}]", CLUSTER_ROLE, null)).isTrue();
        assertThat(matches("scope: Namespaced", POD, PROD)).isTrue();
        assertThat(matches("scope: Cluster", POD, PROD)).isFalse();
        assertThat(matches("scope: Cluster", NAMESPACE, null)).isTrue();
        assertThat(matches("scope: Namespaced", NAMESPACE, null)).isFalse();
        assertThat(matches("scope: cluster", POD, PROD)).as("unknown scopes match everything").isTrue();
    }

    @Test
    void namespacesWithGlobs() throws Exception {
        assertThat(matches("namespaces: [\"pr*\"]", POD, PROD)).isTrue();
        assertThat(matches("namespaces: [\"*od\"]", POD, PROD)).isTrue();
        assertThat(matches("namespaces: [\"*ro*\"]", POD, PROD)).isTrue();
        assertThat(matches("namespaces: [pro]", POD, PROD)).isFalse();
        assertThat(matches("excludedNamespaces: [\"p*\"]", POD, PROD)).isFalse();
        assertThat(matches("namespaces: [\"team-*\"]", NAMESPACE, null)).as("a Namespace is its own namespace").isTrue();
        assertThat(matches("namespaces: [nothing]", CLUSTER_ROLE, null)).as("cluster-scoped objects pass").isTrue();
        assertThat(matches("excludedNamespaces: [\"*\"]", CLUSTER_ROLE, null)).isTrue();
        assertThat(Wildcard.matches("*", "")).isTrue();
    }

    @Test
    void selectorsNameAndSource() throws Exception {
        assertThat(matches("labelSelector: {matchExpressions: [{key: app, operator: In, values: [web, api]}]}", POD, PROD)).isTrue();
        assertThat(matches("labelSelector: {matchExpressions: [{key: app, operator: DoesNotExist}]}", POD, PROD)).isFalse();
        assertThat(matches("namespaceSelector: {matchLabels: {env: prod}}", POD, PROD)).isTrue();
        assertThat(matches("namespaceSelector: {matchLabels: {env: dev}}", NAMESPACE, null)).as("own labels").isTrue();
        assertThat(matches("namespaceSelector: {matchLabels: {env: dev}}", CLUSTER_ROLE, null)).isTrue();
        assertThatThrownBy(() -> matches("namespaceSelector: {matchLabels: {env: prod}}", POD, null))
                .isInstanceOf(MatchException.class).hasMessageContaining("missing Namespace");
        assertThat(matches("name: \"web-*\"", POD, PROD)).as("generateName prefix").isTrue();
        assertThat(matches("name: \"*eb*\"", POD, PROD)).as("generateName contains").isTrue();
        assertThat(matches("name: \"*-\"", POD, PROD)).as("suffix form says nothing about generated names").isFalse();
        assertThat(matches("source: Original", POD, PROD)).isTrue();
        assertThat(matches("source: Generated", POD, PROD)).isFalse();
        assertThatThrownBy(() -> Match.parse(yaml("source: Both"))).hasMessageContaining("invalid source field");
        assertThatThrownBy(() -> Match.parse(yaml("labelSelector: {matchExpressions: [{key: a, operator: In}]}")))
                .hasMessageContaining("values must be non-empty");
    }
}
