package io.portcullis.mutation;

import io.portcullis.mutation.error.MutationException;
import io.portcullis.json.JsonFields;
import static io.portcullis.mutation.TestObjects.assertPatchAndIdempotence;
import static io.portcullis.mutation.TestObjects.json;
import static io.portcullis.mutation.TestObjects.namespace;
import static io.portcullis.mutation.TestObjects.yaml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portcullis.mutation.profiles.ProfileBinder;
import io.portcullis.mutation.profiles.ProfileBinder.UnreadyProfiles;
import io.portcullis.mutation.profiles.ProfileBinding;
import io.portcullis.mutation.profiles.SecurityProfile;
import io.portcullis.mutation.profiles.SpoResources;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * SPO's documented binding cases (installation-usage.md "Bind workloads to profiles with ProfileBindings", and the
 * rules of its binding webhook), each asserting the exact JSON Patch and that a second admission changes nothing.
 */
class ProfileBindingTest {
    private static final String NS = "my-namespace";
    private static final JsonNode OPTED_IN = namespace(NS, "spo.x-k8s.io/enable-binding", "");

    private static final String SECCOMP = """
            apiVersion: security-profiles-operator.x-k8s.io/v1
            kind: SeccompProfile
            metadata:
              name: profile-complain
            spec:
              defaultAction: SCMP_ACT_LOG
            status:
              status: Installed
              localhostProfile: operator/profile-complain.json
            """;
    private static final String SELINUX = """
            apiVersion: security-profiles-operator.x-k8s.io/v1
            kind: SelinuxProfile
            metadata:
              name: errorlogger
            spec:
              allow:
                var_log_t:
                  dir: [open, read, getattr, lock, search, ioctl, add_name, remove_name, write]
            status:
              status: Installed
              usage: errorlogger.process
            """;
    private static final String APPARMOR = """
            apiVersion: security-profiles-operator.x-k8s.io/v1
            kind: AppArmorProfile
            metadata:
              name: test-profile
            spec:
              abstract:
                filesystem:
                  readOnlyPaths: [/etc]
            status:
              status: Installed
            """;

    private final AdmissionMutator mutator = new AdmissionMutator();

    private static String binding(String name, String kind, String profile, String image) {
        return """
                apiVersion: security-profiles-operator.x-k8s.io/v1
                kind: ProfileBinding
                metadata:
                  name: %s
                  namespace: %s
                spec:
                  profileRef:
                    kind: %s
                    name: %s
                  image: '%s'
                """.formatted(name, NS, kind, profile, image);
    }

    private static MutationConfig config(String... manifests) {
        List<SecurityProfile> profiles = new ArrayList<>();
        List<ProfileBinding> bindings = new ArrayList<>();
        for (String m : manifests) {
            ObjectNode o = yaml(m);
            if (SpoResources.isBinding(o)) {
                bindings.add(SpoResources.parseBinding(o));
            } else {
                profiles.add(SpoResources.parseProfile(o));
            }
        }
        return MutationConfig.of(profiles, bindings, List.of());
    }

    private static ObjectNode pod(String spec) {
        return yaml("apiVersion: v1\nkind: Pod\nmetadata:\n  name: test-pod\n  namespace: " + NS + "\nspec:\n" + spec);
    }

    private MutationResult create(ObjectNode pod, JsonNode ns, MutationConfig config) throws MutationException {
        MutationRequest request = new MutationRequest("CREATE", NS, ns, pod);
        MutationResult result = mutator.mutate(request, config);
        assertPatchAndIdempotence(mutator, request, config, result);
        return result;
    }

    private static void assertPatch(MutationResult result, String expected) {
        assertThat(JsonFields.deepEquals(result.patch(), json(expected)))
                .as("patch %s", result.patch()).isTrue();
    }

    @Test
    void seccompBindingForMatchingImage() throws Exception {
        MutationResult result = create(pod("""
                  containers:
                  - name: test-container
                    image: quay.io/security-profiles-operator/test-nginx:1.19.1
                """), OPTED_IN, config(SECCOMP,
                binding("nginx-binding", "SeccompProfile", "profile-complain", "quay.io/security-profiles-operator/test-nginx:1.19.1")));
        assertPatch(result, """
                [{"op": "add", "path": "/spec/containers/0/securityContext",
                  "value": {"seccompProfile": {"type": "Localhost", "localhostProfile": "operator/profile-complain.json"}}}]
                """);
        assertThat(result.boundProfiles()).containsExactly(
                new ProfileBinder.Bound("nginx-binding", "SeccompProfile", "profile-complain", "test-container"));
    }

    @Test
    void imageMustMatchExactly() throws Exception {
        MutationResult result = create(pod("""
                  containers:
                  - name: c
                    image: docker.io/library/nginx:latest
                """), OPTED_IN, config(SECCOMP, binding("b", "SeccompProfile", "profile-complain", "nginx")));
        assertThat(result.patch()).isEmpty();
    }

    @Test
    void initContainersAreBoundToo() throws Exception {
        MutationResult result = create(pod("""
                  initContainers:
                  - name: init
                    image: busybox
                  containers:
                  - name: app
                    image: nginx
                  - name: sidecar
                    image: busybox
                """), OPTED_IN, config(SELINUX, binding("b", "SelinuxProfile", "errorlogger", "busybox")));
        assertPatch(result, """
                [{"op": "add", "path": "/spec/initContainers/0/securityContext", "value": {"seLinuxOptions": {"type": "errorlogger.process"}}},
                 {"op": "add", "path": "/spec/containers/1/securityContext", "value": {"seLinuxOptions": {"type": "errorlogger.process"}}}]
                """);
    }

    @Test
    void appArmorBindingUsesTheProfileName() throws Exception {
        MutationResult result = create(pod("""
                  containers:
                  - name: app
                    image: nginx
                    securityContext:
                      runAsNonRoot: true
                """), OPTED_IN, config(APPARMOR, binding("b", "AppArmorProfile", "test-profile", "nginx")));
        assertPatch(result, """
                [{"op": "add", "path": "/spec/containers/0/securityContext/appArmorProfile",
                  "value": {"type": "Localhost", "localhostProfile": "test-profile"}}]
                """);
    }

    @Test
    void wildcardBindingSetsThePodSecurityContext() throws Exception {
        MutationResult result = create(pod("""
                  containers:
                  - name: app
                    image: nginx
                """), OPTED_IN, config(SECCOMP, binding("all", "SeccompProfile", "profile-complain", "*")));
        assertPatch(result, """
                [{"op": "add", "path": "/spec/securityContext",
                  "value": {"seccompProfile": {"type": "Localhost", "localhostProfile": "operator/profile-complain.json"}}}]
                """);
        assertThat(result.boundProfiles()).extracting(ProfileBinder.Bound::target).containsExactly("pod");
    }

    @Test
    void wildcardBindingsOfDifferentKindsCombine() throws Exception {
        MutationResult result = create(pod("""
                  securityContext:
                    runAsUser: 1000
                  containers:
                  - name: app
                    image: nginx
                """), OPTED_IN, config(SECCOMP, SELINUX,
                binding("a-seccomp", "SeccompProfile", "profile-complain", "*"),
                binding("b-selinux", "SelinuxProfile", "errorlogger", "*")));
        assertPatch(result, """
                [{"op": "add", "path": "/spec/securityContext/seccompProfile",
                  "value": {"type": "Localhost", "localhostProfile": "operator/profile-complain.json"}},
                 {"op": "add", "path": "/spec/securityContext/seLinuxOptions", "value": {"type": "errorlogger.process"}}]
                """);
    }

    @Test
    void containerValuesAreOverwrittenButUnchangedWhenEqual() throws Exception {
        // SPO v1.0: a different container-level value is replaced, so Unconfined cannot opt out of a binding.
        MutationConfig config = config(SECCOMP, binding("b", "SeccompProfile", "profile-complain", "nginx"));
        MutationResult replaced = create(pod("""
                  containers:
                  - name: app
                    image: nginx
                    securityContext:
                      seccompProfile:
                        type: Unconfined
                """), OPTED_IN, config);
        assertPatch(replaced, """
                [{"op": "replace", "path": "/spec/containers/0/securityContext/seccompProfile/type", "value": "Localhost"},
                 {"op": "add", "path": "/spec/containers/0/securityContext/seccompProfile/localhostProfile",
                  "value": "operator/profile-complain.json"}]
                """);
        MutationResult same = create(pod("""
                  containers:
                  - name: app
                    image: nginx
                    securityContext:
                      seccompProfile:
                        type: Localhost
                        localhostProfile: operator/profile-complain.json
                """), OPTED_IN, config);
        assertThat(same.patch()).isEmpty();
        assertThat(same.message()).isEqualTo("Resource was not mutated");
    }

    @Test
    void selinuxBindingKeepsLevelUserAndRole() throws Exception {
        MutationResult result = create(pod("""
                  containers:
                  - name: app
                    image: nginx
                    securityContext:
                      seLinuxOptions:
                        level: s0:c123,c456
                        type: container_t
                """), OPTED_IN, config(SELINUX, binding("b", "SelinuxProfile", "errorlogger", "nginx")));
        assertPatch(result, """
                [{"op": "replace", "path": "/spec/containers/0/securityContext/seLinuxOptions/type", "value": "errorlogger.process"}]
                """);
    }

    @Test
    void wildcardOverwritesThePodValueAndContainersThatEscapeIt() throws Exception {
        // The pod-level Unconfined bypass of SPO v1.0 (design note §2.11 item 9) is closed: a different pod value
        // is replaced, and a container that sets its own value (which would win at runtime) gets the profile too,
        // unless an image binding of the same kind bound it.
        MutationResult result = create(pod("""
                  securityContext:
                    seccompProfile:
                      type: Unconfined
                  containers:
                  - name: escapes
                    image: busybox
                    securityContext:
                      seccompProfile:
                        type: Unconfined
                  - name: inherits
                    image: redis
                  - name: exact
                    image: nginx
                """), OPTED_IN, config(SECCOMP, """
                apiVersion: security-profiles-operator.x-k8s.io/v1
                kind: SeccompProfile
                metadata:
                  name: nginx-only
                spec:
                  defaultAction: SCMP_ACT_ERRNO
                status:
                  status: Installed
                  localhostProfile: operator/nginx-only.json
                """,
                binding("all", "SeccompProfile", "profile-complain", "*"),
                binding("nginx", "SeccompProfile", "nginx-only", "nginx")));
        assertPatch(result, """
                [{"op": "replace", "path": "/spec/securityContext/seccompProfile/type", "value": "Localhost"},
                 {"op": "add", "path": "/spec/securityContext/seccompProfile/localhostProfile", "value": "operator/profile-complain.json"},
                 {"op": "replace", "path": "/spec/containers/0/securityContext/seccompProfile/type", "value": "Localhost"},
                 {"op": "add", "path": "/spec/containers/0/securityContext/seccompProfile/localhostProfile", "value": "operator/profile-complain.json"},
                 {"op": "add", "path": "/spec/containers/2/securityContext",
                  "value": {"seccompProfile": {"type": "Localhost", "localhostProfile": "operator/nginx-only.json"}}}]
                """);
    }

    @Test
    void imageBindingAndWildcardBothApply() throws Exception {
        // SPO v1.0 dropped the "*" binding whenever an image binding changed a container (§2.11 item 3).
        MutationResult result = create(pod("""
                  containers:
                  - name: app
                    image: nginx
                """), OPTED_IN, config(SECCOMP, SELINUX,
                binding("all", "SeccompProfile", "profile-complain", "*"),
                binding("nginx", "SelinuxProfile", "errorlogger", "nginx")));
        assertPatch(result, """
                [{"op": "add", "path": "/spec/containers/0/securityContext", "value": {"seLinuxOptions": {"type": "errorlogger.process"}}},
                 {"op": "add", "path": "/spec/securityContext",
                  "value": {"seccompProfile": {"type": "Localhost", "localhostProfile": "operator/profile-complain.json"}}}]
                """);
    }

    @Test
    void noChangeIsLostWhenALaterBindingChangesNothing() throws Exception {
        // SPO v1.0 reassigned "podChanged" per binding, so this pod came back unchanged (§2.11 item 1).
        MutationResult result = create(pod("""
                  containers:
                  - name: a
                    image: nginx
                  - name: b
                    image: redis
                    securityContext:
                      seLinuxOptions:
                        type: errorlogger.process
                """), OPTED_IN, config(SECCOMP, SELINUX,
                binding("a", "SeccompProfile", "profile-complain", "nginx"),
                binding("b", "SelinuxProfile", "errorlogger", "redis")));
        assertThat(result.patch()).hasSize(1);
        assertThat(result.boundProfiles()).extracting(ProfileBinder.Bound::binding).containsExactly("a");
    }

    @Test
    void missingProfileSkipsTheBinding() throws Exception {
        MutationResult result = create(pod("""
                  containers:
                  - name: app
                    image: nginx
                """), OPTED_IN, config(binding("dangling", "SeccompProfile", "does-not-exist", "nginx")));
        assertThat(result.patch()).isEmpty();
    }

    @Test
    void profileWithoutStatusRejectsThePodsItBinds() throws Exception {
        MutationConfig config = config("""
                apiVersion: security-profiles-operator.x-k8s.io/v1
                kind: SeccompProfile
                metadata:
                  name: fresh
                spec:
                  defaultAction: SCMP_ACT_ERRNO
                """, binding("b", "SeccompProfile", "fresh", "nginx"));
        ObjectNode pod = pod("""
                  containers:
                  - name: app
                    image: nginx
                """);
        assertThatThrownBy(() -> mutator.mutate(new MutationRequest("CREATE", NS, OPTED_IN, pod), config))
                .isInstanceOf(MutationException.class)
                .hasMessageContaining("SeccompProfile fresh hasn't been initialized with status")
                .satisfies(e -> assertThat(((MutationException) e).code()).isEqualTo(500));
        // SPO looks the profile up before matching images, so it would reject this pod too; it is not bound.
        ObjectNode other = pod("""
                  containers:
                  - name: cache
                    image: redis
                """);
        assertThat(create(other, OPTED_IN, config).patch()).isEmpty();
    }

    @Test
    void profileWithoutStatusCanBeSkippedOrBoundWithSposComputedReference() throws Exception {
        MutationConfig config = config("""
                apiVersion: security-profiles-operator.x-k8s.io/v1beta1
                kind: SeccompProfile
                metadata:
                  name: fresh
                spec:
                  defaultAction: SCMP_ACT_ERRNO
                  disabled: false
                """, """
                apiVersion: security-profiles-operator.x-k8s.io/v1alpha2
                kind: SelinuxProfile
                metadata:
                  name: logger
                spec:
                  permissive: true
                """,
                binding("a", "SeccompProfile", "fresh", "nginx"),
                binding("b", "SelinuxProfile", "logger", "nginx"));
        ObjectNode pod = pod("""
                  containers:
                  - name: app
                    image: nginx
                """);
        MutationRequest request = new MutationRequest("CREATE", NS, OPTED_IN, pod);
        AdmissionMutator skipping = new AdmissionMutator(new ProfileBinder(UnreadyProfiles.SKIP));
        assertThat(skipping.mutate(request, config).patch()).isEmpty();
        AdmissionMutator binding = new AdmissionMutator(new ProfileBinder(UnreadyProfiles.BIND));
        MutationResult bound = binding.mutate(request, config);
        assertPatch(bound, """
                [{"op": "add", "path": "/spec/containers/0/securityContext",
                  "value": {"seccompProfile": {"type": "Localhost", "localhostProfile": "operator/fresh.json"},
                            "seLinuxOptions": {"type": "logger.process"}}}]
                """);
        assertPatchAndIdempotence(binding, request, config, bound);
    }

    @Test
    void namespaceWithoutOptInLabelIsNotBound() throws Exception {
        MutationConfig config = config(SECCOMP, binding("b", "SeccompProfile", "profile-complain", "nginx"));
        ObjectNode pod = pod("""
                  containers:
                  - name: app
                    image: nginx
                """);
        assertThat(create(pod, namespace(NS, "team", "a"), config).patch()).isEmpty();
        assertThat(create(pod, null, config).patch()).isEmpty();
    }

    @Test
    void onlyCreateIsBoundAndOtherOperationsNeverFail() throws Exception {
        MutationConfig config = config("""
                apiVersion: security-profiles-operator.x-k8s.io/v1
                kind: SeccompProfile
                metadata:
                  name: fresh
                spec:
                  defaultAction: SCMP_ACT_ERRNO
                """, binding("b", "SeccompProfile", "fresh", "nginx"));
        ObjectNode pod = pod("""
                  containers:
                  - name: app
                    image: nginx
                """);
        for (String operation : List.of("UPDATE", "DELETE", "CONNECT")) {
            MutationResult result = mutator.mutate(new MutationRequest(operation, NS, OPTED_IN, pod), config);
            assertThat(result.patch()).as(operation).isEmpty();
        }
    }

    @Test
    void podSelectorLimitsTheBindingAndAnInvalidOneSkipsIt() throws Exception {
        String selected = binding("selected", "SeccompProfile", "profile-complain", "nginx") + """
                  podSelector:
                    matchLabels:
                      app: web
                """;
        String invalid = binding("invalid", "SelinuxProfile", "errorlogger", "nginx") + """
                  podSelector:
                    matchExpressions:
                    - key: app
                      operator: Within
                      values: [web]
                """;
        MutationConfig config = config(SECCOMP, SELINUX, selected, invalid);
        ObjectNode web = yaml("""
                apiVersion: v1
                kind: Pod
                metadata: {name: web, namespace: my-namespace, labels: {app: web}}
                spec:
                  containers:
                  - {name: app, image: nginx}
                """);
        ObjectNode other = web.deepCopy();
        ((ObjectNode) other.get("metadata").get("labels")).put("app", "batch");
        assertThat(create(web, OPTED_IN, config).boundProfiles()).extracting(ProfileBinder.Bound::binding)
                .containsExactly("selected");
        assertThat(create(other, OPTED_IN, config).patch()).isEmpty();
    }

    @Test
    void bindingsOfOtherNamespacesAndUnbindableKindsAreIgnored() throws Exception {
        String elsewhere = binding("b", "SeccompProfile", "profile-complain", "nginx").replace("namespace: " + NS, "namespace: other");
        MutationConfig config = config(SECCOMP, elsewhere, """
                apiVersion: security-profiles-operator.x-k8s.io/v1
                kind: RawSelinuxProfile
                metadata:
                  name: raw
                spec:
                  policy: "(blockinherit container)"
                status:
                  status: Installed
                  usage: raw.process
                """, binding("raw", "RawSelinuxProfile", "raw", "nginx"));
        assertThat(create(pod("""
                  containers:
                  - name: app
                    image: nginx
                """), OPTED_IN, config).patch()).isEmpty();
    }

    @Test
    void oldApiVersionsAreRead() {
        ProfileBinding binding = SpoResources.parseBinding(yaml("""
                apiVersion: security-profiles-operator.x-k8s.io/v1alpha1
                kind: ProfileBinding
                metadata: {name: old, namespace: ns}
                spec:
                  profileRef: {kind: SeccompProfile, name: p}
                  image: nginx
                """));
        assertThat(binding.spec().image()).isEqualTo("nginx");
        var apparmor = (io.portcullis.mutation.profiles.AppArmorProfile) SpoResources.parseProfile(yaml("""
                apiVersion: security-profiles-operator.x-k8s.io/v1alpha1
                kind: AppArmorProfile
                metadata: {name: aa}
                spec:
                  complainMode: true
                  disabled: true
                """));
        assertThat(apparmor.spec().mode()).isEqualTo("Complain");
        assertThat(apparmor.spec().state()).isEqualTo("Disabled");
        assertThatThrownBy(() -> SpoResources.parseBinding(yaml("""
                apiVersion: security-profiles-operator.x-k8s.io/v1
                kind: ProfileBinding
                metadata: {name: broken, namespace: ns}
                spec:
                  profileRef: {kind: SeccompProfile}
                  image: nginx
                """))).hasMessageContaining("spec.profileRef.kind and spec.profileRef.name are required");
    }
}
