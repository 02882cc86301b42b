package io.portcullis.constraint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portcullis.constraint.GatekeeperConfig.Process;
import org.junit.jupiter.api.Test;

class GatekeeperConfigTest {
    static final String CONFIG = """
            apiVersion: config.gatekeeper.sh/v1alpha1
            kind: Config
            metadata:
              name: config
              namespace: gatekeeper-system
            spec:
              sync:
                syncOnly:
                  - group: ""
                    version: v1
                    kind: Namespace
                  - group: networking.k8s.io
                    version: v1
                    kind: Ingress
              match:
                - excludedNamespaces: ["kube-*", "*-system"]
                  processes: ["*"]
                - excludedNamespaces: ["audit-free"]
                  processes: ["audit"]
              validation:
                traces:
                  - user: alice
                    kind: {group: "", version: v1, kind: Pod}
            """;

    @Test
    void syncOnly() throws InvalidObjectException {
        GatekeeperConfig config = GatekeeperConfig.parse(Json.yaml(CONFIG));
        assertThat(config.syncs(new Gvk("", "v1", "Namespace"))).isTrue();
        assertThat(config.syncs(new Gvk("networking.k8s.io", "v1", "Ingress"))).isTrue();
        assertThat(config.syncs(new Gvk("networking.k8s.io", "v1beta1", "Ingress"))).isFalse();
        assertThat(config.traces()).hasSize(1);
    }

    @Test
    void exclusionsPerProcessWithWildcards() throws InvalidObjectException {
        GatekeeperConfig config = GatekeeperConfig.parse(Json.yaml(CONFIG));
        for (Process p : Process.values()) {
            assertThat(config.isExcludedNamespace(p, "kube-system")).as(p.id()).isTrue();
            assertThat(config.isExcludedNamespace(p, "gatekeeper-system")).as(p.id()).isTrue();
            assertThat(config.isExcludedNamespace(p, "team-a")).as(p.id()).isFalse();
        }
        assertThat(config.isExcludedNamespace(Process.AUDIT, "audit-free")).isTrue();
        assertThat(config.isExcludedNamespace(Process.WEBHOOK, "audit-free")).isFalse();
    }

    @Test
    void namespacesAreTestedByTheirOwnNameAndStarExcludesClusterScopedObjects() throws InvalidObjectException {
        GatekeeperConfig config = GatekeeperConfig.parse(Json.yaml(CONFIG));
        assertThat(config.isExcluded(Process.WEBHOOK, Json.obj("{'apiVersion':'v1','kind':'Namespace','metadata':{'name':'kube-public'}}"), null)).isTrue();
        assertThat(config.isExcluded(Process.WEBHOOK, Json.obj("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'p'}}"), "kube-system")).isTrue();
        assertThat(config.isExcluded(Process.WEBHOOK, Json.obj("{'apiVersion':'v1','kind':'Node','metadata':{'name':'n'}}"), "")).isFalse();

        GatekeeperConfig all = GatekeeperConfig.parse(Json.yaml("""
                apiVersion: config.gatekeeper.sh/v1alpha1
                kind: Config
                metadata: {name: config}
                spec:
                  match: [{excludedNamespaces: ["*"], processes: [webhook]}]
                """));
        assertThat(all.isExcluded(Process.WEBHOOK, Json.obj("{'apiVersion':'v1','kind':'Node','metadata':{'name':'n'}}"), ""))
                .as("* matches the empty namespace of cluster-scoped objects").isTrue();
    }

    @Test
    void onlyConfigs() {
        assertThatThrownBy(() -> GatekeeperConfig.parse(Json.obj("{'apiVersion':'v1','kind':'ConfigMap'}")))
                .isInstanceOf(InvalidObjectException.class);
    }
}
