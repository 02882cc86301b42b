package io.portcullis.constraint;

import io.portcullis.cli.GatorTest;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.node.ObjectNode;

/**
 * Which constraints select which objects under {@code portcullis test}, as under {@code gator test} v3.23: each
 * object is matched with the Namespace gator's expander gives it ([GK] pkg/gator/expand/expand.go
 * NamespaceForResource, then pkg/mutation/match/match.go), and Rego sees no namespaceObject (gator passes no
 * Namespace review option). {@code gator verify} gives its case objects no Namespace at all.
 */
class GatorNamespacesTest {
    static final String TEMPLATE = """
            apiVersion: templates.gatekeeper.sh/v1
            kind: ConstraintTemplate
            metadata: {name: k8sselected}
            spec:
              crd:
                spec:
                  names: {kind: K8sSelected}
              targets:
              - target: admission.k8s.gatekeeper.sh
                rego: |
                  package k8sselected
                  violation[{"msg": msg}] {
                    msg := sprintf("%v namespaceObject=%v", [input.review.object.metadata.name, input.review.namespaceObject])
                  }
            """;

    /** Each constraint selects the test's kinds and one namespace criterion. */
    static final Map<String, String> CRITERIA = Map.of(
            "in-default", "namespaces: [default]",
            "in-any", "namespaces: ['*']",
            "not-excluded", "excludedNamespaces: ['*']",
            "cluster-scope", "scope: Cluster",
            "namespaced-scope", "scope: Namespaced",
            "team-a-selector", "namespaceSelector: {matchLabels: {team: a}}",
            "empty-selector", "namespaceSelector: {}");

    static final String OBJECTS = """
            apiVersion: v1
            kind: Pod
            metadata: {name: no-namespace}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: in-default, namespace: default}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: in-team-a, namespace: team-a}
            ---
            apiVersion: v1
            kind: Namespace
            metadata: {name: team-a, labels: {team: a}}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: cluster-role}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: in-unknown, namespace: elsewhere}
            """;

    static List<ObjectNode> constraints() throws ManifestException {
        List<ObjectNode> out = new ArrayList<>();
        for (Map.Entry<String, String> c : CRITERIA.entrySet()) {
            out.addAll(Manifests.readObjects("""
                    apiVersion: constraints.gatekeeper.sh/v1beta1
                    kind: K8sSelected
                    metadata: {name: %s}
                    spec:
                      match:
                        kinds: [{apiGroups: ['', rbac.authorization.k8s.io], kinds: [Pod, Namespace, ClusterRole]}]
                        %s
                    """.formatted(c.getKey(), c.getValue()), c.getKey()));
        }
        return out;
    }

    @Test
    void gatorTestPutsAnObjectWithoutNamespaceInANamelessOneNotInDefault() throws Exception {
        List<ObjectNode> objects = new ArrayList<>(Manifests.readObjects(TEMPLATE, "template.yaml"));
        objects.addAll(constraints());
        objects.addAll(Manifests.readObjects(OBJECTS, "objects.yaml"));

        TreeSet<String> selected = GatorTest.run(objects, Engines.COMPILER).stream()
                .map(v -> v.result().constraintName() + " " + v.result().msg())
                .collect(Collectors.toCollection(TreeSet::new));

        String noMatch = "unable to match constraints: error matching the requested object: in-unknown :failed to run "
                + "Match criteria: namespace selector for namespace-scoped object but missing Namespace";
        assertThat(selected).containsExactlyElementsOf(new TreeSet<>(List.of(
                // No metadata.namespace: a Namespace without a name, so not in default, and not cluster-scoped.
                "in-any no-namespace namespaceObject=null",
                "namespaced-scope no-namespace namespaceObject=null",
                "empty-selector no-namespace namespaceObject=null",
                // The same for a cluster-scoped kind: gator cannot tell it from a Pod without namespace.
                "in-any cluster-role namespaceObject=null",
                "namespaced-scope cluster-role namespaceObject=null",
                "empty-selector cluster-role namespaceObject=null",
                // default exists even when no file holds it, without labels.
                "in-default in-default namespaceObject=null",
                "in-any in-default namespaceObject=null",
                "namespaced-scope in-default namespaceObject=null",
                "empty-selector in-default namespaceObject=null",
                // A Namespace from the files; Rego still sees no namespaceObject.
                "in-any in-team-a namespaceObject=null",
                "namespaced-scope in-team-a namespaceObject=null",
                "team-a-selector in-team-a namespaceObject=null",
                "empty-selector in-team-a namespaceObject=null",
                // A Namespace is matched by its own name and labels.
                "in-any team-a namespaceObject=null",
                "cluster-scope team-a namespaceObject=null",
                "team-a-selector team-a namespaceObject=null",
                "empty-selector team-a namespaceObject=null",
                // A namespace nobody supplied: no Namespace, and a selector cannot be evaluated.
                "in-any in-unknown namespaceObject=null",
                "namespaced-scope in-unknown namespaceObject=null",
                "team-a-selector " + noMatch,
                "empty-selector " + noMatch)));
    }

    @Test
    void gatorVerifyGivesACaseObjectNoNamespace(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("template.yaml"), TEMPLATE);
        Files.writeString(dir.resolve("constraint.yaml"), """
                apiVersion: constraints.gatekeeper.sh/v1beta1
                kind: K8sSelected
                metadata: {name: in-default}
                spec:
                  match:
                    namespaces: [default]
                """);
        Files.writeString(dir.resolve("pod.yaml"), "apiVersion: v1\nkind: Pod\nmetadata: {name: no-namespace}\n");
        Files.writeString(dir.resolve("suite.yaml"), """
                kind: Suite
                apiVersion: test.gatekeeper.sh/v1alpha1
                tests:
                - name: t
                  template: template.yaml
                  constraint: constraint.yaml
                  cases:
                  - name: no-namespace
                    object: pod.yaml
                    assertions:
                    - violations: 1
                      message: "^no-namespace namespaceObject=null$"
                """);
        // gator verify reviews it without a Namespace, so it counts as cluster-scoped, which namespaces never excludes.
        List<SuiteRunner.Outcome> outcomes = new SuiteRunner(Engines.COMPILER).run(Suite.find(dir.resolve("suite.yaml")).getFirst(),
                SuiteRunner.Filter.ALL);
        assertThat(outcomes).singleElement().satisfies(o -> assertThat(o.error()).isNull());
    }

    @Test
    void theRuleAlone() {
        assertThat(GatorNamespaces.of(Json.obj("{'kind':'Pod','metadata':{'name':'p'}}"), n -> null))
                .isEqualTo(Json.node("{'apiVersion':'v1','kind':'Namespace','metadata':{}}"));
        assertThat(GatorNamespaces.of(Json.obj("{'kind':'Pod','metadata':{'namespace':'default'}}"), n -> null))
                .isEqualTo(Json.node("{'apiVersion':'v1','kind':'Namespace','metadata':{'name':'default'}}"));
        ObjectNode supplied = Json.obj("{'kind':'Namespace','metadata':{'name':'default','labels':{'a':'b'}}}");
        assertThat(GatorNamespaces.of(Json.obj("{'kind':'Pod','metadata':{'namespace':'default'}}"), n -> supplied))
                .isSameAs(supplied);
        assertThat(GatorNamespaces.of(Json.obj("{'kind':'Pod','metadata':{'namespace':'x'}}"), n -> null)).isNull();
    }
}
