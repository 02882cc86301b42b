package io.portcullis.kube;

import static io.portcullis.kube.MockCluster.yaml;
import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.mutation.profiles.ProfileBinding;
import io.portcullis.mutation.profiles.ProfileCatalog;
import io.portcullis.mutation.profiles.SecurityProfile;
import io.portcullis.mutation.profiles.SpoResources;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/** Which stored pods a binding bound and which pods use a profile, decided by the binding webhook's own code. */
class ActiveWorkloadsTest {
    private static final Map<String, String> OPTED_IN = Map.of("spo.x-k8s.io/enable-binding", "");
    private static final SecurityProfile SECCOMP = SpoResources.parseProfile(yaml("""
            apiVersion: security-profiles-operator.x-k8s.io/v1
            kind: SeccompProfile
            metadata: {name: strict}
            spec: {defaultAction: SCMP_ACT_ERRNO}
            status: {status: Installed, localhostProfile: operator/strict.json}
            """));
    private static final SecurityProfile SELINUX = SpoResources.parseProfile(yaml("""
            apiVersion: security-profiles-operator.x-k8s.io/v1
            kind: SelinuxProfile
            metadata: {name: webapp}
            spec: {}
            status: {status: Installed, usage: webapp.process}
            """));
    private static final ProfileCatalog CATALOG = new ProfileCatalog(List.of(SECCOMP, SELINUX));

    private static ProfileBinding binding(String kind, String profile, String image, String selector) {
        return SpoResources.parseBinding(yaml("""
                apiVersion: security-profiles-operator.x-k8s.io/v1
                kind: ProfileBinding
                metadata: {name: b, namespace: demo}
                spec:
                  profileRef: {kind: %s, name: %s}
                  image: "%s"
                  %s
                """.formatted(kind, profile, image, selector)));
    }

    private static ObjectNode pod(String name, String body) {
        return yaml("""
                apiVersion: v1
                kind: Pod
                metadata: {name: %s, namespace: demo, labels: {app: web}}
                %s
                """.formatted(name, body));
    }

    @Test
    void wildcardBindingCountsPodsCarryingItAtPodLevel() {
        ProfileBinding all = binding("SeccompProfile", "strict", "*", "");
        ObjectNode carries = pod("carries", """
                spec:
                  securityContext: {seccompProfile: {type: Localhost, localhostProfile: operator/strict.json}}
                  containers: [{name: c, image: anything}]
                """);
        ObjectNode other = pod("other", """
                spec:
                  securityContext: {seccompProfile: {type: RuntimeDefault}}
                  containers: [{name: c, image: anything}]
                """);
        assertThat(ActiveWorkloads.boundPods(all, List.of(carries, other), OPTED_IN, CATALOG))
                .containsExactly("demo/carries");
        assertThat(ActiveWorkloads.boundPods(all, List.of(carries), Map.of(), CATALOG))
                .as("namespace without the opt-in label").isEmpty();
    }

    @Test
    void imageBindingCountsInitContainersAndHonoursThePodSelector() {
        String init = """
                spec:
                  initContainers:
                    - {name: i, image: "busybox:1", securityContext: {seLinuxOptions: {type: webapp.process, level: "s0:c1"}}}
                  containers: [{name: c, image: other}]
                """;
        ProfileBinding selected = binding("SelinuxProfile", "webapp", "busybox:1", "podSelector: {matchLabels: {app: web}}");
        ProfileBinding notSelected = binding("SelinuxProfile", "webapp", "busybox:1", "podSelector: {matchLabels: {app: db}}");
        assertThat(ActiveWorkloads.boundPods(selected, List.of(pod("p", init)), OPTED_IN, CATALOG)).containsExactly("demo/p");
        assertThat(ActiveWorkloads.boundPods(notSelected, List.of(pod("p", init)), OPTED_IN, CATALOG)).isEmpty();
        ObjectNode finished = pod("done", init + "status: {phase: Succeeded}\n");
        assertThat(ActiveWorkloads.boundPods(selected, List.of(finished), OPTED_IN, CATALOG)).as("finished pod").isEmpty();
    }

    @Test
    void bindingToAMissingProfileBindsNothing() {
        ProfileBinding dangling = binding("SeccompProfile", "missing", "*", "");
        ObjectNode pod = pod("p", """
                spec:
                  securityContext: {seccompProfile: {type: Localhost, localhostProfile: operator/missing.json}}
                  containers: [{name: c, image: x}]
                """);
        assertThat(ActiveWorkloads.boundPods(dangling, List.of(pod), OPTED_IN, CATALOG)).isEmpty();
    }

    @Test
    void profileReferencesAtEveryLevelAndInTheLegacyAnnotation() {
        ObjectNode container = pod("c", """
                spec:
                  containers:
                    - {name: c, image: x, securityContext: {seccompProfile: {type: Localhost, localhostProfile: operator/strict.json}}}
                """);
        ObjectNode annotated = yaml("""
                apiVersion: v1
                kind: Pod
                metadata:
                  name: a
                  namespace: demo
                  annotations: {seccomp.security.alpha.kubernetes.io/pod: localhost/operator/strict.json}
                spec: {containers: [{name: c, image: x}]}
                """);
        ObjectNode unconfined = pod("u", """
                spec:
                  securityContext: {seccompProfile: {type: Unconfined}}
                  containers: [{name: c, image: x, securityContext: {seLinuxOptions: {type: webapp.process}}}]
                """);
        assertThat(ActiveWorkloads.references(container, SECCOMP)).isTrue();
        assertThat(ActiveWorkloads.references(annotated, SECCOMP)).isTrue();
        assertThat(ActiveWorkloads.references(unconfined, SECCOMP)).isFalse();
        assertThat(ActiveWorkloads.references(unconfined, SELINUX)).isTrue();
        assertThat(ActiveWorkloads.references(container, SELINUX)).isFalse();
    }
}
