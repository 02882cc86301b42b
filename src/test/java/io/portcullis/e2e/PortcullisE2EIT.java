package io.portcullis.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import picocli.CommandLine;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.portcullis.Portcullis;
import io.portcullis.json.JsonFields;
import io.portcullis.constraint.ManifestException;
import io.portcullis.constraint.Manifests;
import io.portcullis.externaldata.TestProvider;
import io.portcullis.tls.TlsProperties;
import io.portcullis.webhook.PortcullisServer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Portcullis in cluster mode behind a real kube-apiserver: the shipped namespace, Secret, service account, RBAC
 * and webhook configurations (k8s/; the webhooks point at this JVM by URL instead of a Service), Portcullis
 * started in this JVM with {@code portcullis.source=kubernetes} and a token of its service account, so it has
 * exactly the shipped rights. Then Gatekeeper's and SPO's flows as a user sees them through the API server:
 * generated constraint CRDs and statuses, Pods refused with Gatekeeper's message, warnings, profile binding and
 * mutators, workload bookkeeping, audit results in constraint status, referential data, templates refused, updated
 * and deleted, and the failure policies while Portcullis is down.
 *
 * <p>The tests run in order and build on each other (one control plane, one Portcullis, as in a cluster); the
 * durations of the set-up and of each test are printed at the end. Pods stay Pending: there is no scheduler or
 * kubelet, nor a controller manager (no garbage collector, no namespace deletion).
 */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PortcullisE2EIT {

    private static final Path PROJECT = Path.of(System.getProperty("portcullis.project.dir", ".")).toAbsolutePath();
    private static final Path K8S = PROJECT.resolve("k8s");
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration WAIT = Duration.ofSeconds(60);

    private static final String OWN_NAMESPACE = "portcullis-system";
    private static final String APPS = "e2e-apps";
    private static final String BINDING = "e2e-binding";
    private static final String AUDITED = "e2e-audited";
    private static final String IGNORED = "e2e-ignored";
    private static final String REPLICA = "portcullis-e2e-0";
    private static final String VALIDATION_WEBHOOK = "validation.portcullis.dev";

    private static final ResourceDefinitionContext CRDS = context("apiextensions.k8s.io", "v1",
            "CustomResourceDefinition", "customresourcedefinitions", false);
    private static final ResourceDefinitionContext TEMPLATES = context("templates.gatekeeper.sh", "v1",
            "ConstraintTemplate", "constrainttemplates", false);
    private static final ResourceDefinitionContext SECCOMP_CONSTRAINTS = context("constraints.gatekeeper.sh",
            "v1beta1", "K8sRequiredSeccompProfile", "k8srequiredseccompprofile", false);
    private static final ResourceDefinitionContext OWNER_CONSTRAINTS = context("constraints.gatekeeper.sh",
            "v1beta1", "K8sE2eRequiredOwner", "k8se2erequiredowner", false);
    private static final ResourceDefinitionContext UNIQUE_ID_CONSTRAINTS = context("constraints.gatekeeper.sh",
            "v1beta1", "K8sE2eUniqueId", "k8se2euniqueid", false);
    private static final ResourceDefinitionContext VAPS = context("admissionregistration.k8s.io", "v1",
            "ValidatingAdmissionPolicy", "validatingadmissionpolicies", false);
    private static final ResourceDefinitionContext VAP_BINDINGS = context("admissionregistration.k8s.io", "v1",
            "ValidatingAdmissionPolicyBinding", "validatingadmissionpolicybindings", false);
    private static final String DUPLICATE_ID = "[configmap-ids-are-unique] id 42 is already used by ConfigMap "
            + AUDITED + "/first";
    private static final String SPO_GROUP = "security-profiles-operator.x-k8s.io";

    /** What the shipped constraint (examples/constraints) says about a container without any seccomp profile. */
    private static final String UNCONFINED = "container \"app\" has no seccomp profile: seccompProfile is set "
            + "neither on the container nor on the pod, so it would run Unconfined; allowed types: Localhost, RuntimeDefault";
    private static final String NO_PROFILE = "[pods-require-seccomp-profile] " + UNCONFINED;
    private static final String DENIED = "admission webhook \"" + VALIDATION_WEBHOOK + "\" denied the request: ";

    private KubeControlPlane plane;
    private KubernetesClient kube;
    private Path certs;
    private Path serviceAccountKubeconfig;
    private int port;
    private ConfigurableApplicationContext portcullis;
    private final Map<String, Duration> durations = new LinkedHashMap<>();
    private Instant testStart;

    @BeforeAll
    void start(@TempDir Path dir) throws ManifestException {
        Instant begin = Instant.now();
        ClusterBinaries.locate();
        durations.put("cluster binaries (build.sh, cached)", Duration.between(begin, Instant.now()));
        begin = Instant.now();
        // OwnerReferencesPermissionEnforcement (on in OpenShift and hardened clusters) checks that Portcullis may
        // set blockOwnerDeletion on the CRDs it generates.
        plane = KubeControlPlane.start(List.of("--enable-admission-plugins=MutatingAdmissionWebhook,"
                + "ValidatingAdmissionWebhook,OwnerReferencesPermissionEnforcement"));
        durations.put("control plane start", Duration.between(begin, Instant.now()));
        kube = clientWithoutRetries();
        certs = dir.resolve("certs");
        port = freePort();

        begin = Instant.now();
        // What k8s/ gives a cluster for this setup: our namespace, the (empty) certificate Secret, the service
        // account with its RBAC, and the webhook configurations, pointed at this JVM. No Deployment or Service.
        plane.kubectl("apply", "-f", K8S.resolve("namespace.yaml").toString(), "-f",
                K8S.resolve("secret.yaml").toString(), "-f", K8S.resolve("serviceaccount.yaml").toString(), "-f",
                K8S.resolve("rbac.yaml").toString()).orThrow();
        plane.kubectlWithInput(list(webhookConfigurations()), "apply", "-f", "-").orThrow();
        serviceAccountKubeconfig = serviceAccountKubeconfig(dir.resolve("portcullis.kubeconfig"));
        durations.put("manifests applied", Duration.between(begin, Instant.now()));

        begin = Instant.now();
        startPortcullis();
        durations.put("Portcullis start until ready", Duration.between(begin, Instant.now()));
        // Only now: the shipped check-ignore-label webhook fails closed, so namespaces wait for Portcullis.
        plane.createNamespace(APPS, Map.of());
        plane.createNamespace(AUDITED, Map.of());
        // As SPO's docs do it (`kubectl label ns X spo.x-k8s.io/enable-binding=`): only the key counts.
        plane.createNamespace(BINDING, Map.of("spo.x-k8s.io/enable-binding", ""));
    }

    @AfterAll
    void stop() {
        try {
            stopPortcullis();
        } finally {
            if (kube != null) {
                kube.close();
            }
            if (plane != null) {
                plane.close();
            }
            StringBuilder report = new StringBuilder("PortcullisE2EIT durations:\n");
            durations.forEach((what, took) -> report.append(String.format("  %-70s %6d ms%n", what, took.toMillis())));
            System.err.print(report);
        }
    }

    @BeforeEach
    void startClock() {
        testStart = Instant.now();
    }

    @AfterEach
    void stopClock(TestInfo test) {
        durations.put("test " + test.getTestMethod().orElseThrow().getName(), Duration.between(testStart, Instant.now()));
    }

    @Test
    @Order(1)
    void installsItsCrdsAndPutsItsCaIntoTheWebhookConfigurations() throws Exception {
        // The server applies k8s/crds itself (packed in the jar) and waits until they are served.
        List<String> shipped = new ArrayList<>();
        try (Stream<Path> files = Files.list(K8S.resolve("crds"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                Manifests.readObjects(file).forEach(crd -> shipped.add(JsonFields.name(crd)));
            }
        }
        assertThat(shipped).contains("constrainttemplates.templates.gatekeeper.sh",
                "seccompprofiles.security-profiles-operator.x-k8s.io", "profilebindings.security-profiles-operator.x-k8s.io");
        for (String name : shipped) {
            JsonNode crd = get(CRDS, null, name);
            assertThat(crd).as(name).isNotNull();
            assertThat(established(crd)).as(name + " Established").isTrue();
        }

        // Every webhook trusts the CA of the Secret the server filled in, which is the CA it serves with.
        X509Certificate ca = certificate(Files.readString(certs.resolve("ca.crt")));
        String secretCa = kube.secrets().inNamespace(OWN_NAMESPACE).withName(TlsProperties.DEFAULT_SECRET_NAME).get()
                .getData().get("ca.crt");
        assertThat(certificate(new String(Base64.getDecoder().decode(secretCa), StandardCharsets.US_ASCII)))
                .isEqualTo(ca);
        var validating = kube.admissionRegistration().v1().validatingWebhookConfigurations()
                .withName(TlsProperties.DEFAULT_VALIDATING_WEBHOOK_CONFIGURATION).get().getWebhooks();
        var mutating = kube.admissionRegistration().v1().mutatingWebhookConfigurations()
                .withName(TlsProperties.DEFAULT_MUTATING_WEBHOOK_CONFIGURATION).get().getWebhooks();
        assertThat(validating).hasSize(2).allSatisfy(w -> assertThat(bundle(w.getClientConfig().getCaBundle()))
                .isEqualTo(ca));
        assertThat(mutating).hasSize(1).allSatisfy(w -> assertThat(bundle(w.getClientConfig().getCaBundle()))
                .isEqualTo(ca));
    }

    @Test
    @Order(2)
    void aTemplateGetsItsConstraintCrdAndTheirStatusesSayTheyAreEnforced() {
        plane.kubectl("apply", "-f", PROJECT.resolve("constraint-templates/k8srequiredseccompprofile/template.yaml")
                .toString()).orThrow();

        JsonNode crd = await("the constraint CRD Established", () -> {
            JsonNode found = get(CRDS, null, "k8srequiredseccompprofile.constraints.gatekeeper.sh");
            return found != null && established(found) ? found : null;
        });
        JsonNode template = await("the template's status.created", () -> {
            JsonNode found = get(TEMPLATES, null, "k8srequiredseccompprofile");
            return found.at("/status/created").asBoolean(false) ? found : null;
        });
        // Gatekeeper's generated CRD (behaviour notes §1.5), owned by the template.
        assertThat(crd.at("/metadata/ownerReferences/0/kind").asString()).isEqualTo("ConstraintTemplate");
        assertThat(crd.at("/metadata/ownerReferences/0/uid").asString()).isEqualTo(uid(template));
        assertThat(crd.at("/metadata/ownerReferences/0/controller").asBoolean()).isTrue();
        assertThat(crd.at("/metadata/labels/gatekeeper.sh~1constraint").asString()).isEqualTo("yes");
        assertThat(crd.at("/spec/scope").asString()).isEqualTo("Cluster");
        assertThat(texts(crd.at("/spec/names/categories"))).containsExactly("constraint", "constraints");
        assertThat(crd.at("/spec/versions").valueStream().map(v -> v.path("name").asString() + ":"
                + v.path("storage").asBoolean())).containsExactly("v1beta1:true", "v1alpha1:false");
        // status.byPod: this replica's entry, for this generation and uid, without errors.
        JsonNode byPod = template.at("/status/byPod");
        assertThat(byPod.size()).isEqualTo(1);
        assertThat(byPod.at("/0/id").asString()).isEqualTo(REPLICA);
        assertThat(byPod.at("/0/templateUID").asString()).isEqualTo(uid(template));
        assertThat(byPod.at("/0/observedGeneration").asLong()).isEqualTo(template.at("/metadata/generation").asLong());
        assertThat(texts(byPod.at("/0/operations"))).containsExactly("mutation-webhook", "webhook");
        assertThat(byPod.at("/0/errors").isMissingNode()).isTrue();

        plane.kubectl("apply", "-f", PROJECT.resolve("examples/constraints/k8srequiredseccompprofile.yaml").toString())
                .orThrow();
        JsonNode constraint = awaitEnforced(SECCOMP_CONSTRAINTS, "pods-require-seccomp-profile");
        assertThat(constraint.at("/status/byPod/0/constraintUID").asString()).isEqualTo(uid(constraint));
        assertThat(constraint.at("/status/byPod/0/observedGeneration").asLong()).isEqualTo(1);
        // The template's parameter schema is in the CRD: the API server itself refuses what breaks it.
        Kubectl.Result badParameters = plane.kubectlWithInput("""
                apiVersion: constraints.gatekeeper.sh/v1beta1
                kind: K8sRequiredSeccompProfile
                metadata:
                  name: bad-parameters
                spec:
                  parameters:
                    allowedProfileTypes: [Bogus]
                """, "apply", "-f", "-");
        assertThat(badParameters.exitCode()).isNotZero();
        assertThat(badParameters.stderr()).contains("spec.parameters.allowedProfileTypes[0]: Unsupported value: \"Bogus\"");
        // The categories make `kubectl get constraints` list every constraint, of any kind.
        assertThat(plane.kubectl("get", "constraints", "-o", "name").orThrow())
                .contains("k8srequiredseccompprofile.constraints.gatekeeper.sh/pods-require-seccomp-profile");

        // A changed template (generation 2) changes its CRD, and its status says which generation it reports.
        plane.kubectl("patch", "constrainttemplate", "k8srequiredseccompprofile", "--type=merge", "-p",
                "{\"spec\": {\"crd\": {\"spec\": {\"names\": {\"shortNames\": [\"rsp\"]}}}}}").orThrow();
        await("byPod of generation 2", () -> get(TEMPLATES, null, "k8srequiredseccompprofile")
                .at("/status/byPod/0/observedGeneration").asLong() == 2 ? Boolean.TRUE : null);
        assertThat(texts(get(CRDS, null, "k8srequiredseccompprofile.constraints.gatekeeper.sh")
                .at("/spec/names/shortNames"))).containsExactly("rsp");
        assertThat(plane.kubectl("get", "rsp", "-o", "name").orThrow())
                .contains("k8srequiredseccompprofile.constraints.gatekeeper.sh/pods-require-seccomp-profile");
    }

    @Test
    @Order(3)
    void theApiServerRefusesAViolatingPodWithGatekeepersMessage() {
        // Enforced in status means loaded: no retry needed.
        assertThatThrownBy(() -> kube.pods().inNamespace(APPS).resource(pod("unconfined", "nginx:1.27", null)).create())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(403);
                    assertThat(e.getStatus().getMessage()).isEqualTo(DENIED + NO_PROFILE);
                });
        assertThat(kube.pods().inNamespace(APPS).withName("unconfined").get()).isNull();
        // --emit-admission-events: Gatekeeper's FailedAdmission Event in our namespace, written through the API.
        Event refused = await("the FailedAdmission event of the unconfined pod", () -> kube.v1().events()
                .inNamespace(OWN_NAMESPACE).list().getItems().stream()
                .filter(e -> "FailedAdmission".equals(e.getReason())
                        && "unconfined".equals(e.getInvolvedObject().getName()))
                .findFirst().orElse(null));
        assertThat(refused.getType()).isEqualTo("Warning");
        assertThat(refused.getInvolvedObject().getKind()).isEqualTo("Pod");
        assertThat(refused.getMessage()).isEqualTo("Admission webhook \"" + VALIDATION_WEBHOOK + "\" denied request, "
                + "Resource Namespace: " + APPS + ", Constraint: pods-require-seccomp-profile, Message: " + UNCONFINED);
        assertThat(refused.getMetadata().getAnnotations()).containsEntry("process", "admission")
                .containsEntry("constraint_kind", "K8sRequiredSeccompProfile").containsEntry("resource_namespace", APPS);
        // What a kubectl user reads.
        Kubectl.Result viaKubectl = plane.kubectlWithInput(yaml(pod("unconfined", "nginx:1.27", null)), "create", "-n", APPS, "-f", "-");
        assertThat(viaKubectl.exitCode()).isNotZero();
        assertThat(viaKubectl.stderr()).contains("Error from server (Forbidden)").contains(DENIED + NO_PROFILE);

        kube.pods().inNamespace(APPS).resource(pod("runtime-default", "nginx:1.27", "RuntimeDefault")).create();
        assertThat(kube.pods().inNamespace(APPS).withName("runtime-default").get().getStatus().getPhase())
                .isEqualTo("Pending");

        // kubectl debug goes through the pods/ephemeralcontainers subresource, which the shipped rules include: an
        // ephemeral container without a profile is refused like any other container.
        Kubectl.Result debug = plane.kubectl("debug", "-n", APPS, "runtime-default", "--image=busybox:1.36",
                "--container=debugger", "--", "sleep", "60");
        assertThat(debug.exitCode()).as(debug.stdout()).isNotZero();
        assertThat(debug.stderr()).contains(DENIED + "[pods-require-seccomp-profile] ephemeralContainer \"debugger\" "
                + "has no seccomp profile");
        assertThat(kube.pods().inNamespace(APPS).withName("runtime-default").get().getSpec().getEphemeralContainers())
                .isEmpty();

        // admission.k8s.io/v1beta1 reviews, which SPO's own webhook configuration asks for, get v1beta1 answers. The
        // webhook is renamed at the same time, so the message shows which configuration the API server used.
        patchValidatingWebhook("/admissionReviewVersions", "[\"v1beta1\"]", "/name", "\"v1beta1.portcullis.dev\"");
        try {
            KubernetesClientException v1beta1 = await("a v1beta1 review", () -> {
                try {
                    kube.pods().inNamespace(APPS).resource(pod("unconfined", "nginx:1.27", null)).dryRun().create();
                    return null;
                } catch (KubernetesClientException e) {
                    return e.getStatus().getMessage().contains("v1beta1.portcullis.dev") ? e : null;
                }
            });
            assertThat(v1beta1.getStatus().getMessage()).isEqualTo(
                    "admission webhook \"v1beta1.portcullis.dev\" denied the request: " + NO_PROFILE);
        } finally {
            patchValidatingWebhook("/admissionReviewVersions", "[\"v1\", \"v1beta1\"]", "/name",
                    "\"" + VALIDATION_WEBHOOK + "\"");
        }

        // The shipped namespaceSelector: the API server does not call Portcullis for a namespace with the ignore label
        // (which only an exempt namespace may carry: startPortcullis exempts the suffix -ignored).
        plane.createNamespace(IGNORED, Map.of("admission.gatekeeper.sh/ignore", "e2e"));
        kube.pods().inNamespace(IGNORED).resource(pod("unconfined", "nginx:1.27", null)).create();
    }

    @Test
    @Order(3)
    void onlyAnExemptNamespaceMayCarryTheIgnoreLabel() {
        assertThatThrownBy(() -> kube.namespaces().withName(APPS).edit(ns -> {
            ns.getMetadata().getLabels().put("admission.gatekeeper.sh/ignore", "please");
            return ns;
        })).isInstanceOfSatisfying(KubernetesClientException.class, e -> {
            assertThat(e.getCode()).isEqualTo(403);
            assertThat(e.getStatus().getMessage()).isEqualTo("admission webhook \"check-ignore-label.portcullis.dev\" "
                    + "denied the request: Only exempt namespace can have the admission.gatekeeper.sh/ignore label");
        });
        assertThat(kube.namespaces().withName(APPS).get().getMetadata().getLabels())
                .doesNotContainKey("admission.gatekeeper.sh/ignore");
        // Any other label change of the namespace goes through.
        kube.namespaces().withName(APPS).edit(ns -> {
            ns.getMetadata().getLabels().put("e2e/labelled", "yes");
            return ns;
        });
    }

    @Test
    @Order(4)
    void aDeploymentIsDeniedForWhatItsPodWouldViolateThroughAnExpansionTemplate() {
        String template = """
                apiVersion: expansion.gatekeeper.sh/v1beta1
                kind: ExpansionTemplate
                metadata:
                  name: expand-deployments
                spec:
                  applyTo:
                    - groups: ["apps"]
                      kinds: ["Deployment"]
                      versions: ["v1"]
                  templateSource: "spec.template"
                  generatedGVK: {kind: Pod, group: "", version: v1}
                """;
        String deployment = """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web, namespace: %s}
                spec:
                  selector: {matchLabels: {app: web}}
                  template:
                    metadata: {labels: {app: web}}
                    spec:
                      containers: [{name: app, image: "nginx:1.27"}]
                """.formatted(APPS);
        plane.kubectlWithInput(template, "apply", "-f", "-").orThrow();
        try {
            // The informer brings the template in within moments: retried until the Deployment is refused.
            Kubectl.Result refused = await("the Deployment to be refused through expansion", () -> {
                Kubectl.Result result = plane.kubectlWithInput(deployment, "create", "--dry-run=server", "-f", "-");
                return result.exitCode() != 0 ? result : null;
            });
            assertThat(refused.stderr()).contains("Error from server (Forbidden)").contains(DENIED
                    + "[pods-require-seccomp-profile] [Implied by expand-deployments] " + UNCONFINED);
            Kubectl.Result created = plane.kubectlWithInput(deployment, "create", "-f", "-");
            assertThat(created.exitCode()).as(created.stderr()).isNotZero();
            assertThat(kube.apps().deployments().inNamespace(APPS).withName("web").get()).isNull();

            // status.byPod: this replica's entry, written through the status subresource with k8s/rbac.yaml's rights.
            ResourceDefinitionContext templates = context("expansion.gatekeeper.sh", "v1beta1", "ExpansionTemplate",
                    "expansiontemplate", false);
            JsonNode written = await("the ExpansionTemplate's byPod", () -> {
                JsonNode found = get(templates, null, "expand-deployments");
                return found.at("/status/byPod/0/id").asString("").equals(REPLICA) ? found : null;
            });
            assertThat(written.at("/status/byPod/0/templateUID").asString()).isEqualTo(uid(written));
            assertThat(written.at("/status/byPod/0/observedGeneration").asLong()).isEqualTo(1);
            assertThat(written.at("/status/byPod/0/errors").isMissingNode()).isTrue();
        } finally {
            plane.kubectl("delete", "expansiontemplate", "expand-deployments").orThrow();
        }
    }

    @Test
    @Order(4)
    void aWarnConstraintIsAWarningInKubectl() {
        plane.kubectlWithInput("""
                apiVersion: constraints.gatekeeper.sh/v1beta1
                kind: K8sRequiredSeccompProfile
                metadata:
                  name: pods-warn-localhost-only
                spec:
                  enforcementAction: warn
                  match:
                    kinds: [{apiGroups: [""], kinds: [Pod]}]
                    namespaces: [%s]
                  parameters:
                    allowedProfileTypes: [Localhost]
                """.formatted(APPS), "apply", "-f", "-").orThrow();
        awaitEnforced(SECCOMP_CONSTRAINTS, "pods-warn-localhost-only");

        Kubectl.Result created = plane.kubectlWithInput(yaml(pod("warned", "nginx:1.27", "RuntimeDefault")),
                "create", "-n", APPS, "-f", "-");
        assertThat(created.exitCode()).as(created.stderr()).isZero();
        assertThat(created.stdout()).contains("pod/warned created");
        assertThat(created.stderr()).contains("Warning: [pods-warn-localhost-only] container \"app\" uses seccomp "
                + "profile type \"RuntimeDefault\" (from container securityContext); allowed types: Localhost");
        assertThat(kube.pods().inNamespace(APPS).withName("warned").get()).isNotNull();
    }

    /** A template with only CEL (K8sNativeValidation), as Gatekeeper runs by default: it denies through Portcullis. */
    @Test
    @Order(4)
    void aCelOnlyTemplateDeniesAPod() {
        plane.kubectlWithInput("""
                apiVersion: templates.gatekeeper.sh/v1
                kind: ConstraintTemplate
                metadata:
                  name: k8se2enolatest
                spec:
                  crd:
                    spec:
                      names:
                        kind: K8sE2eNoLatest
                      validation:
                        openAPIV3Schema:
                          type: object
                          properties:
                            tag: {type: string}
                  targets:
                    - target: admission.k8s.gatekeeper.sh
                      code:
                        - engine: K8sNativeValidation
                          source:
                            variables:
                              - name: tagged
                                expression: 'variables.anyObject.spec.containers.filter(c, c.image.endsWith(":" + variables.params.tag))'
                            validations:
                              - expression: 'size(variables.tagged) == 0'
                                messageExpression: '"images tagged " + variables.params.tag + ": " + variables.tagged.map(c, c.name).join(", ")'
                """, "apply", "-f", "-").orThrow();
        ResourceDefinitionContext noLatest = context("constraints.gatekeeper.sh", "v1beta1", "K8sE2eNoLatest",
                "k8se2enolatest", false);
        await("the CEL template's constraint CRD", () -> plane.kubectlWithInput("""
                apiVersion: constraints.gatekeeper.sh/v1beta1
                kind: K8sE2eNoLatest
                metadata:
                  name: pods-no-latest
                spec:
                  match:
                    kinds: [{apiGroups: [""], kinds: [Pod]}]
                    namespaces: [%s]
                  parameters:
                    tag: latest
                """.formatted(APPS), "apply", "-f", "-").exitCode() == 0 ? true : null);
        try {
            awaitEnforced(noLatest, "pods-no-latest");
            assertThatThrownBy(() -> kube.pods().inNamespace(APPS)
                    .resource(pod("latest", "nginx:latest", "RuntimeDefault")).create())
                    .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                        assertThat(e.getCode()).isEqualTo(403);
                        assertThat(e.getStatus().getMessage())
                                .isEqualTo(DENIED + "[pods-no-latest] images tagged latest: app");
                    });
            kube.pods().inNamespace(APPS).resource(pod("pinned", "nginx:1.27", "RuntimeDefault")).dryRun().create();
        } finally {
            // Later tests count the constraints in the cluster.
            plane.kubectl("delete", "constrainttemplate", "k8se2enolatest").orThrow();
        }
    }

    /**
     * external_data: a Provider applied with kubectl, the provider an HTTPS server in this JVM that requires a client
     * certificate of Portcullis's CA; the API server denies a Pod whose image it flags and admits another. The
     * Provider's status says this replica uses it; an http:// Provider is refused in status with Gatekeeper's text.
     */
    @Test
    @Order(4)
    void aProviderAppliedWithKubectlFlagsAnImageAndThePodIsDenied() throws Exception {
        X509Certificate webhookCa = io.portcullis.tls.Pem.certificate(Files.readString(certs.resolve("ca.crt")));
        ResourceDefinitionContext providers = context("externaldata.gatekeeper.sh", "v1beta1", "Provider", "providers",
                false);
        ResourceDefinitionContext checked = context("constraints.gatekeeper.sh", "v1beta1", "K8sE2eExternalData",
                "k8se2eexternaldata", false);
        try (TestProvider provider = new TestProvider(webhookCa)) {
            plane.kubectlWithInput(provider.providerYaml("e2e-image-checker", 3), "apply", "-f", "-").orThrow();
            plane.kubectlWithInput("""
                    apiVersion: templates.gatekeeper.sh/v1
                    kind: ConstraintTemplate
                    metadata:
                      name: k8se2eexternaldata
                    spec:
                      crd:
                        spec:
                          names:
                            kind: K8sE2eExternalData
                      targets:
                        - target: admission.k8s.gatekeeper.sh
                          rego: |
                            package k8se2eexternaldata

                            violation[{"msg": msg}] {
                              images := [img | img = input.review.object.spec.containers[_].image]
                              response := external_data({"provider": "e2e-image-checker", "keys": images})
                              err := response.errors[_]
                              msg := sprintf("image %v is refused: %v", [err[0], err[1]])
                            }

                            violation[{"msg": msg}] {
                              images := [img | img = input.review.object.spec.containers[_].image]
                              response := external_data({"provider": "e2e-image-checker", "keys": images})
                              count(response.system_error) > 0
                              msg := sprintf("e2e-image-checker failed: %v", [response.system_error])
                            }
                    """, "apply", "-f", "-").orThrow();
            await("the external data template's constraint CRD", () -> plane.kubectlWithInput("""
                    apiVersion: constraints.gatekeeper.sh/v1beta1
                    kind: K8sE2eExternalData
                    metadata:
                      name: images-checked
                    spec:
                      match:
                        kinds: [{apiGroups: [""], kinds: [Pod]}]
                        namespaces: [%s]
                    """.formatted(APPS), "apply", "-f", "-").exitCode() == 0 ? true : null);
            awaitEnforced(checked, "images-checked");
            JsonNode active = await("the Provider active in this replica", () -> {
                JsonNode found = get(providers, null, "e2e-image-checker");
                return found != null && found.at("/status/byPod/0/active").asBoolean(false) ? found : null;
            });
            assertThat(active.at("/status/byPod/0/id").asString()).isEqualTo(REPLICA);
            assertThat(active.at("/status/byPod/0/providerUID").asString()).isEqualTo(active.at("/metadata/uid").asString());

            assertThatThrownBy(() -> kube.pods().inNamespace(APPS)
                    .resource(pod("flagged", "registry.example/flagged:1", "RuntimeDefault")).create())
                    .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                        assertThat(e.getCode()).isEqualTo(403);
                        assertThat(e.getStatus().getMessage()).isEqualTo(DENIED + "[images-checked] image "
                                + "registry.example/flagged:1 is refused: registry.example/flagged:1 is flagged");
                    });
            kube.pods().inNamespace(APPS).resource(pod("unflagged", "nginx:1.27", "RuntimeDefault")).dryRun().create();
            X509Certificate served = io.portcullis.tls.Pem.certificate(Files.readString(certs.resolve("tls.crt")));
            assertThat(provider.seen()).isNotEmpty().allSatisfy(seen ->
                    assertThat(seen.clientCertificates()).first().isEqualTo(served));

            plane.kubectlWithInput("""
                    apiVersion: externaldata.gatekeeper.sh/v1beta1
                    kind: Provider
                    metadata:
                      name: e2e-plain-http
                    spec:
                      url: http://127.0.0.1:1/validate
                      timeout: 3
                    """, "apply", "-f", "-").orThrow();
            JsonNode refused = await("the http:// Provider refused in status", () -> {
                JsonNode found = get(providers, null, "e2e-plain-http");
                return found != null && found.at("/status/byPod/0/errors/0").isObject() ? found : null;
            });
            assertThat(refused.at("/status/byPod/0/active").asBoolean(true)).isFalse();
            assertThat(refused.at("/status/byPod/0/errors/0/type").asString()).isEqualTo("UpsertCache");
            assertThat(refused.at("/status/byPod/0/errors/0/message").asString())
                    .isEqualTo("only HTTPS scheme is supported for Providers");
        } finally {
            // Later tests count the constraints in the cluster.
            plane.kubectl("delete", "constrainttemplate", "k8se2eexternaldata").orThrow();
            plane.kubectl("delete", "providers.externaldata.gatekeeper.sh", "e2e-image-checker", "e2e-plain-http",
                    "--ignore-not-found").orThrow();
        }
    }

    @Test
    @Order(5)
    void aPodInABindingNamespaceGetsItsBoundProfiles() {
        // SPO's objects as its operator leaves them once the profiles are on the nodes: installed profiles (the
        // status written through the status subresource, as SPO's manager does) and bindings for nginx:1.27.
        plane.kubectlWithInput("""
                apiVersion: security-profiles-operator.x-k8s.io/v1beta1
                kind: SeccompProfile
                metadata:
                  name: e2e-nginx
                spec:
                  defaultAction: SCMP_ACT_ERRNO
                  syscalls:
                    - action: SCMP_ACT_ALLOW
                      names: [accept4, bind, brk, close, epoll_wait, exit_group, listen, mmap, openat, read, write]
                ---
                apiVersion: security-profiles-operator.x-k8s.io/v1alpha1
                kind: AppArmorProfile
                metadata:
                  name: e2e-nginx
                spec:
                  abstract:
                    filesystem:
                      readOnlyPaths: [/etc/nginx]
                ---
                apiVersion: security-profiles-operator.x-k8s.io/v1alpha2
                kind: SelinuxProfile
                metadata:
                  name: e2e-nginx
                spec:
                  allow:
                    http_port_t:
                      tcp_socket: [name_bind]
                ---
                apiVersion: security-profiles-operator.x-k8s.io/v1alpha1
                kind: ProfileBinding
                metadata: {name: nginx-seccomp, namespace: %1$s}
                spec: {profileRef: {kind: SeccompProfile, name: e2e-nginx}, image: "nginx:1.27"}
                ---
                apiVersion: security-profiles-operator.x-k8s.io/v1alpha1
                kind: ProfileBinding
                metadata: {name: nginx-apparmor, namespace: %1$s}
                spec: {profileRef: {kind: AppArmorProfile, name: e2e-nginx}, image: "nginx:1.27"}
                ---
                apiVersion: security-profiles-operator.x-k8s.io/v1alpha1
                kind: ProfileBinding
                metadata: {name: nginx-selinux, namespace: %1$s}
                spec: {profileRef: {kind: SelinuxProfile, name: e2e-nginx}, image: "nginx:1.27"}
                ---
                # Gatekeeper's mutators ride on the same /v1/mutate call.
                apiVersion: mutations.gatekeeper.sh/v1
                kind: AssignMetadata
                metadata: {name: e2e-team-label}
                spec:
                  match:
                    scope: Namespaced
                    kinds: [{apiGroups: [""], kinds: [Pod]}]
                    namespaces: [%1$s]
                  location: metadata.labels.team
                  parameters:
                    assign: {value: e2e}
                """.formatted(BINDING), "apply", "-f", "-").orThrow();
        installed("seccompprofiles", "v1beta1", Map.of("localhostProfile", "operator/e2e-nginx.json"));
        installed("apparmorprofiles", "v1alpha1", Map.of());
        // A usage that differs from the name-derived fallback, so the test sees it came from the status.
        installed("selinuxprofiles", "v1alpha2", Map.of("usage", "e2e-nginx_e2e.process"));

        Pod pod = new PodBuilder(pod("bound", "nginx:1.27", null)).editSpec().addNewContainer().withName("sidecar")
                .withImage("busybox:1.36").withSecurityContext(seccomp("RuntimeDefault")).endContainer().endSpec()
                .build();
        // Portcullis reads profiles and bindings through informers: wait (server-side dry runs, which the webhooks
        // see as any create) until it binds, then create for real.
        await("the binding to reach Portcullis", () -> {
            Pod dryRun = kube.pods().inNamespace(BINDING).resource(pod).dryRun().create();
            SecurityContext context = dryRun.getSpec().getContainers().getFirst().getSecurityContext();
            return context != null && context.getSeccompProfile() != null && context.getAppArmorProfile() != null
                    && context.getSeLinuxOptions() != null && dryRun.getMetadata().getLabels() != null
                    && dryRun.getMetadata().getLabels().containsKey("team") ? dryRun : null;
        });
        Pod created = kube.pods().inNamespace(BINDING).resource(pod).create();

        SecurityContext app = created.getSpec().getContainers().get(0).getSecurityContext();
        assertThat(app.getSeccompProfile().getType()).isEqualTo("Localhost");
        assertThat(app.getSeccompProfile().getLocalhostProfile()).isEqualTo("operator/e2e-nginx.json");
        assertThat(app.getAppArmorProfile().getType()).isEqualTo("Localhost");
        assertThat(app.getAppArmorProfile().getLocalhostProfile()).isEqualTo("e2e-nginx");
        assertThat(app.getSeLinuxOptions().getType()).isEqualTo("e2e-nginx_e2e.process");
        // Bindings are by exact image: the sidecar keeps what it had.
        SecurityContext sidecar = created.getSpec().getContainers().get(1).getSecurityContext();
        assertThat(sidecar.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(sidecar.getAppArmorProfile()).isNull();
        assertThat(sidecar.getSeLinuxOptions()).isNull();
        assertThat(created.getSpec().getSecurityContext().getSeccompProfile()).isNull();
        assertThat(created.getMetadata().getLabels()).containsEntry("team", "e2e");
        // The mutator's status.byPod says this replica enforces it.
        JsonNode mutator = awaitEnforced(context("mutations.gatekeeper.sh", "v1", "AssignMetadata", "assignmetadata",
                false), "e2e-team-label");
        assertThat(mutator.at("/status/byPod/0/mutatorUID").asString()).isEqualTo(uid(mutator));
        assertThat(mutator.at("/status/byPod/0/errors").isMissingNode()).isTrue();

        // The bound profile is what let the pod past the seccomp constraint: the same pod outside a binding
        // namespace is refused.
        assertThatThrownBy(() -> kube.pods().inNamespace(APPS).resource(pod).create())
                .isInstanceOfSatisfying(KubernetesClientException.class,
                        e -> assertThat(e.getStatus().getMessage()).isEqualTo(DENIED + NO_PROFILE));

        // SPO's bookkeeping: the pod is listed as a workload of the binding and of the profile, each guarded by a
        // finalizer, and the status SPO's manager wrote stays. Deleting the pod (at once: it has no node) undoes it.
        ResourceDefinitionContext bindings = context(SPO_GROUP, "v1", "ProfileBinding", "profilebindings", true);
        ResourceDefinitionContext seccompProfiles = context(SPO_GROUP, "v1", "SeccompProfile", "seccompprofiles", false);
        String workload = BINDING + "/bound";
        JsonNode binding = await("activeWorkloads of the binding", () -> {
            JsonNode found = get(bindings, BINDING, "nginx-seccomp");
            return texts(found.at("/status/activeWorkloads")).equals(List.of(workload)) ? found : null;
        });
        assertThat(texts(binding.at("/metadata/finalizers"))).containsExactly("active-workload-lock");
        JsonNode profile = await("activeWorkloads of the profile", () -> {
            JsonNode found = get(seccompProfiles, null, "e2e-nginx");
            return texts(found.at("/status/activeWorkloads")).equals(List.of(workload)) ? found : null;
        });
        assertThat(texts(profile.at("/metadata/finalizers"))).containsExactly("in-use-by-active-pods");
        assertThat(profile.at("/status/status").asString()).isEqualTo("Installed");
        assertThat(profile.at("/status/localhostProfile").asString()).isEqualTo("operator/e2e-nginx.json");

        kube.pods().inNamespace(BINDING).withName("bound").delete();
        await("the binding released", () -> {
            JsonNode found = get(bindings, BINDING, "nginx-seccomp");
            return found.at("/status/activeWorkloads").isEmpty() && found.at("/metadata/finalizers").isEmpty()
                    ? found : null;
        });
        await("the profile released", () -> {
            JsonNode found = get(seccompProfiles, null, "e2e-nginx");
            return found.at("/status/activeWorkloads").isEmpty() && found.at("/metadata/finalizers").isEmpty()
                    ? found : null;
        });
    }

    @Test
    @Order(6)
    void theAuditWritesViolationsIntoConstraintStatus() {
        plane.kubectlWithInput("""
                apiVersion: constraints.gatekeeper.sh/v1beta1
                kind: K8sRequiredSeccompProfile
                metadata:
                  name: audit-localhost-only
                spec:
                  enforcementAction: dryrun
                  match:
                    kinds: [{apiGroups: [""], kinds: [Pod]}]
                    namespaces: [%s]
                  parameters:
                    allowedProfileTypes: [Localhost]
                """.formatted(AUDITED), "apply", "-f", "-").orThrow();
        awaitEnforced(SECCOMP_CONSTRAINTS, "audit-localhost-only");
        // dryrun: admitted, and found by the audit.
        for (String name : List.of("audited-1", "audited-2")) {
            kube.pods().inNamespace(AUDITED).resource(pod(name, "nginx:1.27", "RuntimeDefault")).create();
        }

        String message = "container \"app\" uses seccomp profile type \"RuntimeDefault\" (from container "
                + "securityContext); allowed types: Localhost";
        // The audit runs every few seconds (portcullis.audit.interval): wait for one that saw both pods.
        JsonNode dryrun = await("the audit results of audit-localhost-only", () -> {
            JsonNode found = get(SECCOMP_CONSTRAINTS, null, "audit-localhost-only");
            return found.at("/status/totalViolations").asLong(-1) == 2 ? found : null;
        });
        assertThat(dryrun.at("/status/auditTimestamp").asString()).isNotEmpty();
        // --emit-audit-events: an AuditViolation Event per violation, in our namespace.
        Event audited = await("the AuditViolation event of audited-1", () -> kube.v1().events()
                .inNamespace(OWN_NAMESPACE).list().getItems().stream()
                .filter(e -> "AuditViolation".equals(e.getReason()) && "audited-1".equals(e.getInvolvedObject().getName())
                        && e.getMessage().contains("Constraint: audit-localhost-only"))
                .findFirst().orElse(null));
        assertThat(audited.getMessage()).isEqualTo("Resource Namespace: " + AUDITED
                + ", Constraint: audit-localhost-only, Message: " + message);
        assertThat(audited.getMetadata().getAnnotations()).containsEntry("process", "audit")
                .containsEntry("constraint_action", "dryrun");
        assertThat(violations(dryrun)).containsExactlyInAnyOrder(
                "//v1/Pod e2e-audited/audited-1 dryrun: " + message,
                "//v1/Pod e2e-audited/audited-2 dryrun: " + message);
        // Warn violations count as well.
        JsonNode warn = await("the audit results of pods-warn-localhost-only", () -> {
            JsonNode found = get(SECCOMP_CONSTRAINTS, null, "pods-warn-localhost-only");
            return found.at("/status/totalViolations").asLong(-1) == 2 ? found : null;
        });
        assertThat(violations(warn)).containsExactlyInAnyOrder(
                "//v1/Pod e2e-apps/runtime-default warn: " + message,
                "//v1/Pod e2e-apps/warned warn: " + message);
        // The deny constraint: only the pod the webhook never saw (its namespace has the ignore label).
        JsonNode deny = get(SECCOMP_CONSTRAINTS, null, "pods-require-seccomp-profile");
        assertThat(deny.at("/status/totalViolations").asLong(-1)).isEqualTo(1);
        assertThat(violations(deny)).containsExactly("//v1/Pod e2e-ignored/unconfined deny: " + UNCONFINED);
        // The generated CRD's printer columns.
        assertThat(plane.kubectl("get", "k8srequiredseccompprofile", "audit-localhost-only").orThrow())
                .containsPattern("ENFORCEMENT-ACTION +TOTAL-VIOLATIONS").containsPattern("audit-localhost-only +dryrun +2");
    }

    @Test
    @Order(7)
    void badRegoIsRefusedAndADeletedTemplateTakesItsCrdAndEnforcementAlong() {
        // Portcullis checks templates at admission, as older Gatekeeper releases did (behaviour notes §1.6).
        Kubectl.Result refused = plane.kubectlWithInput(badRegoTemplate(), "apply", "-f", "-");
        assertThat(refused.exitCode()).isNotZero();
        assertThat(refused.stderr()).contains(DENIED).contains("no_such_function");
        assertThat(get(TEMPLATES, null, "k8se2ebadrego")).isNull();

        applyOwnerTemplate();
        await("the CRD of k8se2erequiredowner", () -> {
            JsonNode crd = get(CRDS, null, "k8se2erequiredowner.constraints.gatekeeper.sh");
            return crd != null && established(crd) ? crd : null;
        });
        applyOwnerConstraint();
        JsonNode owner = awaitEnforced(OWNER_CONSTRAINTS, "configmaps-need-owner");
        // Defaulted by the API server from the generated schema, as Gatekeeper's CRD does.
        assertThat(owner.at("/spec/enforcementAction").asString()).isEqualTo("deny");
        assertThatThrownBy(() -> createConfigMap("unowned"))
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getStatus().getMessage())
                        .isEqualTo(DENIED + "[configmaps-need-owner] an owner label is required"));

        plane.kubectl("delete", "constrainttemplate", "k8se2erequiredowner").orThrow();
        // No garbage collector runs here (no controller manager): Portcullis deletes the CRD itself, after
        // dropping the template, and the API server deletes the constraints with their CRD.
        await("the CRD of k8se2erequiredowner to go", () ->
                get(CRDS, null, "k8se2erequiredowner.constraints.gatekeeper.sh") == null ? Boolean.TRUE : null);
        createConfigMap("unowned");
        assertThat(kube.configMaps().inNamespace(APPS).withName("unowned").get()).isNotNull();

        // Deleted and at once re-created: the old CRD may still be terminating when the new template comes.
        applyOwnerTemplate();
        await("the CRD of the first re-created k8se2erequiredowner", () -> {
            JsonNode crd = get(CRDS, null, "k8se2erequiredowner.constraints.gatekeeper.sh");
            return crd != null && established(crd) ? crd : null;
        });
        plane.kubectl("delete", "constrainttemplate", "k8se2erequiredowner", "--wait=false").orThrow();
        applyOwnerTemplate();
        JsonNode recreated = get(TEMPLATES, null, "k8se2erequiredowner");
        await("the CRD of the re-created k8se2erequiredowner, owned by it", () -> {
            JsonNode crd = get(CRDS, null, "k8se2erequiredowner.constraints.gatekeeper.sh");
            return crd != null && established(crd) && crd.at("/metadata/deletionTimestamp").isMissingNode()
                    && crd.at("/metadata/ownerReferences/0/uid").asString().equals(uid(recreated)) ? crd : null;
        });
        applyOwnerConstraint();
        awaitEnforced(OWNER_CONSTRAINTS, "configmaps-need-owner");
        assertThatThrownBy(() -> createConfigMap("unowned-again"))
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getStatus().getMessage())
                        .isEqualTo(DENIED + "[configmaps-need-owner] an owner label is required"));
    }

    @Test
    @Order(8)
    void referentialTemplatesSeeTheObjectsConfigSyncs() {
        // Gatekeeper's Config replicates ConfigMaps into data.inventory; the template reads the others from there.
        plane.kubectlWithInput("""
                apiVersion: config.gatekeeper.sh/v1alpha1
                kind: Config
                metadata:
                  name: config
                  namespace: %s
                spec:
                  sync:
                    syncOnly:
                      - {group: "", version: v1, kind: ConfigMap}
                ---
                apiVersion: templates.gatekeeper.sh/v1
                kind: ConstraintTemplate
                metadata:
                  name: k8se2euniqueid
                spec:
                  crd:
                    spec:
                      names:
                        kind: K8sE2eUniqueId
                  targets:
                    - target: admission.k8s.gatekeeper.sh
                      rego: |
                        package k8se2euniqueid
                        violation[{"msg": msg}] {
                          id := input.review.object.data.id
                          other := data.inventory.namespace[ns][_]["ConfigMap"][name]
                          other.data.id == id
                          not is_self(ns, name)
                          msg := sprintf("id %%v is already used by ConfigMap %%v/%%v", [id, ns, name])
                        }
                        is_self(ns, name) {
                          ns == input.review.object.metadata.namespace
                          name == input.review.object.metadata.name
                        }
                """.formatted(OWN_NAMESPACE), "apply", "-f", "-").orThrow();
        await("the CRD of k8se2euniqueid", () -> {
            JsonNode crd = get(CRDS, null, "k8se2euniqueid.constraints.gatekeeper.sh");
            return crd != null && established(crd) ? crd : null;
        });
        plane.kubectlWithInput("""
                apiVersion: constraints.gatekeeper.sh/v1beta1
                kind: K8sE2eUniqueId
                metadata:
                  name: configmap-ids-are-unique
                spec:
                  match:
                    kinds: [{apiGroups: [""], kinds: [ConfigMap]}]
                    namespaces: [%s]
                """.formatted(AUDITED), "apply", "-f", "-").orThrow();
        awaitEnforced(UNIQUE_ID_CONSTRAINTS, "configmap-ids-are-unique");
        kube.configMaps().inNamespace(AUDITED).resource(configMap("first", "42")).create();

        // The inventory follows the cluster through a watch: wait until the first one is in it.
        KubernetesClientException refused = await("first to reach the inventory", () -> {
            try {
                kube.configMaps().inNamespace(AUDITED).resource(configMap("second", "42")).dryRun().create();
                return null;
            } catch (KubernetesClientException e) {
                return e;
            }
        });
        assertThat(refused.getStatus().getMessage()).isEqualTo(DENIED + DUPLICATE_ID);
        kube.configMaps().inNamespace(AUDITED).resource(configMap("second", "43")).create();
    }

    /**
     * Gatekeeper 3.23's default: a template with CEL code gets a ValidatingAdmissionPolicy and each of its
     * constraints a binding, which the API server accepts and enforces by itself, with Portcullis stopped.
     */
    @Test
    @Order(9)
    void aCelTemplatesValidatingAdmissionPolicyDeniesWithPortcullisStopped() {
        plane.kubectlWithInput("""
                apiVersion: templates.gatekeeper.sh/v1
                kind: ConstraintTemplate
                metadata:
                  name: k8se2enoprivileged
                spec:
                  crd:
                    spec:
                      names:
                        kind: K8sE2eNoPrivileged
                  targets:
                    - target: admission.k8s.gatekeeper.sh
                      code:
                        - engine: K8sNativeValidation
                          source:
                            validations:
                              - expression: '!variables.anyObject.spec.containers.exists(c, has(c.securityContext) && has(c.securityContext.privileged) && c.securityContext.privileged)'
                                messageExpression: '"privileged containers are not allowed"'
                      rego: |
                        package k8se2enoprivileged
                        violation[{"msg": "privileged containers are not allowed"}] {
                          input.review.object.spec.containers[_].securityContext.privileged
                        }
                """, "apply", "-f", "-").orThrow();
        JsonNode template = await("the VAP status of k8se2enoprivileged", () -> {
            JsonNode found = get(TEMPLATES, null, "k8se2enoprivileged");
            return found.at("/status/byPod/0/vapGenerationStatus/state").asString().equals("generated") ? found : null;
        });
        JsonNode policy = get(VAPS, null, "gatekeeper-k8se2enoprivileged");
        assertThat(policy.at("/metadata/ownerReferences/0/uid").asString()).isEqualTo(uid(template));
        assertThat(policy.at("/spec/paramKind/kind").asString()).isEqualTo("K8sE2eNoPrivileged");
        await("the CRD of k8se2enoprivileged", () -> {
            JsonNode crd = get(CRDS, null, "k8se2enoprivileged.constraints.gatekeeper.sh");
            return crd != null && established(crd) ? crd : null;
        });
        plane.kubectlWithInput("""
                apiVersion: constraints.gatekeeper.sh/v1beta1
                kind: K8sE2eNoPrivileged
                metadata:
                  name: no-privileged-pods
                spec:
                  match:
                    kinds: [{apiGroups: [""], kinds: [Pod]}]
                    namespaces: [%s]
                """.formatted(APPS), "apply", "-f", "-").orThrow();
        ResourceDefinitionContext noPrivileged = context("constraints.gatekeeper.sh", "v1beta1", "K8sE2eNoPrivileged",
                "k8se2enoprivileged", false);
        JsonNode constraint = await("the binding of no-privileged-pods in status", () -> {
            JsonNode found = get(noPrivileged, null, "no-privileged-pods");
            JsonNode point = found.at("/status/byPod/0/enforcementPointsStatus/0");
            return point.path("enforcementPoint").asString().equals("vap.k8s.io")
                    && point.path("state").asString().equals("generated") ? found : null;
        });
        JsonNode binding = get(VAP_BINDINGS, null, "gatekeeper-k8se2enoprivileged-no-privileged-pods");
        assertThat(binding.at("/metadata/ownerReferences/0/uid").asString()).isEqualTo(uid(constraint));
        assertThat(binding.at("/spec/validationActions/0").asString()).isEqualTo("Deny");

        Pod privileged = pod("privileged", "nginx:1.27", "RuntimeDefault");
        privileged.getSpec().getContainers().getFirst().getSecurityContext().setPrivileged(true);
        stopPortcullis();
        try {
            // failurePolicy Ignore: with Portcullis down only the API server's own policy can refuse the pod.
            KubernetesClientException denied = await("the API server to enforce the generated policy", () -> {
                try {
                    kube.pods().inNamespace(APPS).resource(privileged).dryRun().create();
                    return null;
                } catch (KubernetesClientException e) {
                    return e.getStatus() != null && e.getStatus().getMessage().contains("ValidatingAdmissionPolicy")
                            ? e : null;
                }
            });
            assertThat(denied.getStatus().getMessage()).contains("ValidatingAdmissionPolicy "
                    + "'gatekeeper-k8se2enoprivileged' with binding 'gatekeeper-k8se2enoprivileged-no-privileged-pods' "
                    + "denied request").contains("privileged containers are not allowed");
            // The constraint's match is the policy's: another namespace, or an unprivileged pod, gets in.
            kube.pods().inNamespace(AUDITED).resource(privileged).dryRun().create();
            kube.pods().inNamespace(APPS).resource(pod("unprivileged", "nginx:1.27", "RuntimeDefault")).dryRun().create();
        } finally {
            startPortcullis();
        }

        // No garbage collector runs here: Portcullis deletes the binding and the policy with their owners.
        plane.kubectl("delete", "k8se2enoprivileged", "no-privileged-pods").orThrow();
        await("the binding to go", () -> get(VAP_BINDINGS, null,
                "gatekeeper-k8se2enoprivileged-no-privileged-pods") == null ? Boolean.TRUE : null);
        plane.kubectl("delete", "constrainttemplate", "k8se2enoprivileged").orThrow();
        await("the policy to go", () -> get(VAPS, null, "gatekeeper-k8se2enoprivileged") == null ? Boolean.TRUE : null);
    }

    @Test
    @Order(10)
    void whilePortcullisIsDownTheFailurePolicyDecidesAndEnforcementReturnsWithIt() {
        stopPortcullis();
        try {
            // failurePolicy Ignore, as shipped: everything gets in, even a template Portcullis would refuse.
            kube.pods().inNamespace(APPS).resource(pod("admitted-while-down", "nginx:1.27", null)).create();
            plane.kubectlWithInput(badRegoTemplate(), "apply", "-f", "-").orThrow();

            setValidationFailurePolicy("Fail");
            KubernetesClientException failed = await("failurePolicy Fail to reach the API server", () -> {
                try {
                    kube.pods().inNamespace(APPS).resource(pod("fail-closed", "nginx:1.27", null)).dryRun().create();
                    return null;
                } catch (KubernetesClientException e) {
                    return e;
                }
            });
            assertThat(failed.getCode()).isEqualTo(500);
            assertThat(failed.getStatus().getMessage()).contains("failed calling webhook \"" + VALIDATION_WEBHOOK + "\"")
                    .contains("127.0.0.1:" + port).contains("connection refused");

            Instant begin = Instant.now();
            startPortcullis();
            durations.put("Portcullis restart until ready", Duration.between(begin, Instant.now()));
            // Ready means every template and constraint present at start is loaded: enforced from the first request.
            assertThatThrownBy(() -> kube.pods().inNamespace(APPS).resource(pod("unconfined", "nginx:1.27", null))
                    .create()).isInstanceOfSatisfying(KubernetesClientException.class,
                            e -> assertThat(e.getStatus().getMessage()).isEqualTo(DENIED + NO_PROFILE));
            kube.pods().inNamespace(APPS).resource(pod("fail-closed", "nginx:1.27", "RuntimeDefault")).dryRun().create();
            // Ready also means the synced kinds are listed: referential data is complete from the first request.
            assertThatThrownBy(() -> kube.configMaps().inNamespace(AUDITED).resource(configMap("third", "42")).create())
                    .isInstanceOfSatisfying(KubernetesClientException.class,
                            e -> assertThat(e.getStatus().getMessage()).isEqualTo(DENIED + DUPLICATE_ID));
        } finally {
            setValidationFailurePolicy("Ignore");
        }

        // The template that slipped in: its Rego error in status, and no CRD (behaviour notes §1.3, §1.4).
        JsonNode bad = await("the status of k8se2ebadrego", () -> {
            JsonNode found = get(TEMPLATES, null, "k8se2ebadrego");
            return found.at("/status/byPod/0/errors").isArray() ? found : null;
        });
        assertThat(bad.at("/status/created").asBoolean(true)).isFalse();
        assertThat(bad.at("/status/byPod/0/id").asString()).isEqualTo(REPLICA);
        assertThat(bad.at("/status/byPod/0/errors/0/code").asString()).isEqualTo("ingest_error");
        assertThat(bad.at("/status/byPod/0/errors/0/message").asString()).startsWith("Could not ingest Rego:")
                .contains("no_such_function");
        assertThat(get(CRDS, null, "k8se2ebadrego.constraints.gatekeeper.sh")).isNull();

        // And the audit finds the pod that got in while Portcullis was away.
        JsonNode deny = await("the audit to find admitted-while-down", () -> {
            JsonNode found = get(SECCOMP_CONSTRAINTS, null, "pods-require-seccomp-profile");
            return found.at("/status/totalViolations").asLong(-1) == 2 ? found : null;
        });
        assertThat(violations(deny)).containsExactlyInAnyOrder("//v1/Pod e2e-apps/admitted-while-down deny: " + UNCONFINED,
                "//v1/Pod e2e-ignored/unconfined deny: " + UNCONFINED);
        // One replica, one entry: the restarted server replaced its own.
        assertThat(deny.at("/status/byPod").size()).isEqualTo(1);
        assertThat(get(TEMPLATES, null, "k8srequiredseccompprofile").at("/status/byPod").size()).isEqualTo(1);
    }

    /** Last: the command sets up logging for a process of its own, which ends the server's log output here. */
    @Test
    @Order(11)
    void portcullisAuditTheCronJobsCommandFindsWhatTheServerWroteIntoStatus() {
        // A run of the server's audit that started after every object of the earlier tests existed.
        long since = Instant.now().getEpochSecond();
        List<JsonNode> constraints = await("an audit run after the last change", () -> {
            List<JsonNode> all = new ArrayList<>();
            for (var kind : List.of(SECCOMP_CONSTRAINTS, OWNER_CONSTRAINTS, UNIQUE_ID_CONSTRAINTS)) {
                kube.genericKubernetesResources(kind).list().getItems().forEach(c ->
                        all.add(JSON.readTree(kube.getKubernetesSerialization().asJson(c))));
            }
            return all.stream().allMatch(c -> !c.at("/status/auditTimestamp").isMissingNode()
                    && Instant.parse(c.at("/status/auditTimestamp").asString()).getEpochSecond() > since) ? all : null;
        });

        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Portcullis.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute("audit", "--kubeconfig", plane.kubeconfigPath().toString(), "-o", "json",
                "--fail-on-violations");

        assertThat(exit).as(err.toString()).isEqualTo(1);
        JsonNode report = JSON.readTree(out.toString());
        Map<String, Long> fromCli = new LinkedHashMap<>();
        report.path("constraints").forEach(c -> fromCli.put(c.path("kind").asString() + "/" + c.path("name").asString(),
                c.path("totalViolations").asLong()));
        Map<String, Long> fromStatus = new LinkedHashMap<>();
        constraints.forEach(c -> fromStatus.put(c.path("kind").asString() + "/" + JsonFields.name(c),
                c.at("/status/totalViolations").asLong()));
        assertThat(fromCli).isEqualTo(fromStatus).hasSize(5);
        long denied = constraints.stream().filter(c -> c.at("/spec/enforcementAction").asString().equals("deny"))
                .mapToLong(c -> c.at("/status/totalViolations").asLong()).sum();
        assertThat(report.path("denyViolations").asLong()).isEqualTo(denied).isPositive();
    }

    private void applyOwnerTemplate() {
        plane.kubectlWithInput("""
                apiVersion: templates.gatekeeper.sh/v1
                kind: ConstraintTemplate
                metadata:
                  name: k8se2erequiredowner
                spec:
                  crd:
                    spec:
                      names:
                        kind: K8sE2eRequiredOwner
                  targets:
                    - target: admission.k8s.gatekeeper.sh
                      rego: |
                        package k8se2erequiredowner
                        violation[{"msg": "an owner label is required"}] {
                          not input.review.object.metadata.labels.owner
                        }
                """, "apply", "-f", "-").orThrow();
    }

    private void applyOwnerConstraint() {
        plane.kubectlWithInput("""
                apiVersion: constraints.gatekeeper.sh/v1beta1
                kind: K8sE2eRequiredOwner
                metadata:
                  name: configmaps-need-owner
                spec:
                  match:
                    kinds: [{apiGroups: [""], kinds: [ConfigMap]}]
                    namespaces: [%s]
                """.formatted(APPS), "apply", "-f", "-").orThrow();
    }

    // --- Portcullis in this JVM ---

    private void startPortcullis() {
        portcullis = PortcullisServer.application().run(
                "--server.address=127.0.0.1",
                "--server.port=" + port,
                "--portcullis.source=kubernetes",
                "--portcullis.kubernetes.kubeconfig=" + serviceAccountKubeconfig,
                "--portcullis.kubernetes.pod-name=" + REPLICA,
                "--portcullis.tls.cert-dir=" + certs,
                "--portcullis.exempt-namespace-suffixes[0]=-ignored",
                "--portcullis.violations.log-denies=true",
                "--portcullis.violations.emit-admission-events=true",
                "--portcullis.violations.emit-audit-events=true",
                // Short enough for the audit test; the Lease hands over at once on a clean stop.
                "--portcullis.audit.interval=3s");
        HttpClient https = https();
        await("Portcullis ready", () -> {
            try {
                HttpResponse<String> response = https.send(HttpRequest.newBuilder(
                        URI.create("https://127.0.0.1:" + port + "/readyz")).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString());
                return response.statusCode() == 200 ? Boolean.TRUE : null;
            } catch (IOException e) {
                return null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        });
    }

    private void stopPortcullis() {
        if (portcullis != null) {
            portcullis.close();
            portcullis = null;
        }
    }

    /**
     * A kubeconfig with a token of the shipped service account, as a pod of the Deployment has: Portcullis works
     * with exactly the rights k8s/rbac.yaml gives it (and its own requests pass its webhooks unreviewed, as in a
     * cluster). The token is made by the API server's TokenRequest, as the kubelet gets it.
     */
    private Path serviceAccountKubeconfig(Path file) {
        String token = kube.serviceAccounts().inNamespace(OWN_NAMESPACE).withName("portcullis")
                .tokenRequest(new TokenRequestBuilder().withNewSpec().withExpirationSeconds(3600L).endSpec().build())
                .getStatus().getToken();
        String kubeconfig = """
                apiVersion: v1
                kind: Config
                clusters:
                - name: e2e
                  cluster:
                    server: %s
                    certificate-authority-data: %s
                users:
                - name: portcullis
                  user:
                    token: %s
                contexts:
                - name: e2e
                  context: {cluster: e2e, user: portcullis, namespace: %s}
                current-context: e2e
                """.formatted(plane.apiServerUrl(), Base64.getEncoder().encodeToString(
                        plane.pki().ca().certificatePem().getBytes(StandardCharsets.US_ASCII)), token, OWN_NAMESPACE);
        try {
            Files.writeString(file, kubeconfig);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** A client that trusts only the CA Portcullis serves with. */
    private HttpClient https() {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("portcullis-ca", certificate(Files.readString(certs.resolve("ca.crt"))));
            TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(
                    TrustManagerFactory.getDefaultAlgorithm());
            trustManagers.init(trust);
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, trustManagers.getTrustManagers(), null);
            return HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(5)).build();
        } catch (Exception e) {
            throw new IllegalStateException("cannot trust " + certs.resolve("ca.crt"), e);
        }
    }

    /**
     * An admin client that reports a 5xx at once: fabric8 retries those by default with a doubling backoff for
     * about 20 s, which would hide how the API server answered (a webhook failing closed is a 500).
     */
    private KubernetesClient clientWithoutRetries() {
        Config config = Config.fromKubeconfig(plane.kubeconfigPath().toFile());
        config.setNoProxy(new String[] {"127.0.0.1", "localhost"});
        config.setRequestRetryBackoffLimit(0);
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    // --- the shipped manifests, adapted ---

    /**
     * k8s/webhooks.yaml with each service clientConfig replaced by the URL of this JVM's server (same path);
     * names, rules, selectors, failure policies and timeouts stay as shipped. No caBundle: Portcullis patches
     * it in, as in a cluster.
     */
    private List<ObjectNode> webhookConfigurations() throws ManifestException {
        List<ObjectNode> configurations = Manifests.readObjects(K8S.resolve("webhooks.yaml"));
        for (ObjectNode configuration : configurations) {
            for (JsonNode webhook : configuration.path("webhooks")) {
                ObjectNode clientConfig = (ObjectNode) webhook.get("clientConfig");
                String path = clientConfig.at("/service/path").asString();
                assertThat(path).as("the shipped path of " + webhook.path("name").asString()).startsWith("/v1/");
                clientConfig.remove("service");
                clientConfig.put("url", "https://127.0.0.1:" + port + path);
            }
        }
        assertThat(configurations).extracting(c -> JsonFields.name(c)).containsExactlyInAnyOrder(
                TlsProperties.DEFAULT_VALIDATING_WEBHOOK_CONFIGURATION, TlsProperties.DEFAULT_MUTATING_WEBHOOK_CONFIGURATION);
        return configurations;
    }

    private void setValidationFailurePolicy(String policy) {
        patchValidatingWebhook("/failurePolicy", "\"" + policy + "\"");
    }

    /** Replaces fields of the validating webhook in one write: pairs of field path and new value as JSON. */
    private void patchValidatingWebhook(String... fieldsAndValues) {
        ArrayNode patch = JSON.createArrayNode();
        for (int i = 0; i < fieldsAndValues.length; i += 2) {
            patch.addObject().put("op", "replace").put("path", "/webhooks/0" + fieldsAndValues[i])
                    .set("value", JSON.readTree(fieldsAndValues[i + 1]));
        }
        kube.admissionRegistration().v1().validatingWebhookConfigurations()
                .withName(TlsProperties.DEFAULT_VALIDATING_WEBHOOK_CONFIGURATION)
                .patch(PatchContext.of(PatchType.JSON), patch.toString());
    }

    // --- objects ---

    private static Pod pod(String name, String image, String seccompType) {
        return new PodBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage(image)
                .withSecurityContext(seccompType == null ? null : seccomp(seccompType)).endContainer().endSpec()
                .build();
    }

    private static SecurityContext seccomp(String type) {
        return new SecurityContextBuilder().withNewSeccompProfile().withType(type).endSeccompProfile().build();
    }

    private void createConfigMap(String name) {
        kube.configMaps().inNamespace(APPS).resource(configMap(name, "1")).create();
    }

    private static ConfigMap configMap(String name, String id) {
        return new ConfigMapBuilder().withNewMetadata().withName(name).endMetadata().addToData("id", id).build();
    }

    /** A template whose Rego calls a function that does not exist: it parses, but does not compile. */
    private static String badRegoTemplate() {
        return """
                apiVersion: templates.gatekeeper.sh/v1
                kind: ConstraintTemplate
                metadata:
                  name: k8se2ebadrego
                spec:
                  crd:
                    spec:
                      names:
                        kind: K8sE2eBadRego
                  targets:
                    - target: admission.k8s.gatekeeper.sh
                      rego: |
                        package k8se2ebadrego
                        violation[{"msg": msg}] {
                          msg := no_such_function(input.review.object)
                        }
                """;
    }

    /** Sets an SPO profile's status as SPO's manager does once a node has it: Installed, condition Ready. */
    private void installed(String plural, String version, Map<String, String> extra) {
        ObjectNode status = JSON.createObjectNode().put("status", "Installed");
        extra.forEach(status::put);
        status.putArray("conditions").addObject().put("type", "Ready").put("status", "True").put("reason", "Available")
                .put("message", "").put("lastTransitionTime", Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                        .toString());
        ObjectNode patch = JSON.createObjectNode().set("status", status);
        kube.genericKubernetesResources(context(SPO_GROUP, version, "", plural, false)).withName("e2e-nginx")
                .subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE), patch.toString());
        JsonNode read = get(context(SPO_GROUP, version, "", plural, false), null, "e2e-nginx");
        assertThat(read.at("/status/status").asString()).as(plural + " status").isEqualTo("Installed");
    }

    // --- reading the API server ---

    private JsonNode awaitEnforced(ResourceDefinitionContext kind, String name) {
        return await(kind.getKind() + " " + name + " enforced", () -> {
            JsonNode found = get(kind, null, name);
            return found != null && found.at("/status/byPod/0/enforced").asBoolean(false)
                    && found.at("/status/byPod/0/id").asString().equals(REPLICA) ? found : null;
        });
    }

    /** The object as JSON, or null when it does not exist. */
    private JsonNode get(ResourceDefinitionContext kind, String namespace, String name) {
        var operation = kube.genericKubernetesResources(kind);
        GenericKubernetesResource found = namespace == null ? operation.withName(name).get()
                : operation.inNamespace(namespace).withName(name).get();
        return found == null ? null : JSON.readTree(kube.getKubernetesSerialization().asJson(found));
    }

    private static boolean established(JsonNode crd) {
        for (JsonNode condition : crd.at("/status/conditions")) {
            if ("Established".equals(condition.path("type").asString()) && "True".equals(condition.path("status").asString())) {
                return true;
            }
        }
        return false;
    }

    /** status.violations as {@code group/version/kind namespace/name action: message}. */
    private static List<String> violations(JsonNode constraint) {
        List<String> out = new ArrayList<>();
        for (JsonNode v : constraint.at("/status/violations")) {
            out.add("/" + v.path("group").asString() + "/" + v.path("version").asString() + "/" + v.path("kind").asString()
                    + " " + v.path("namespace").asString() + "/" + v.path("name").asString() + " "
                    + v.path("enforcementAction").asString() + ": " + v.path("message").asString());
        }
        return out;
    }

    private static String uid(JsonNode object) {
        return object.at("/metadata/uid").asString();
    }

    private static List<String> texts(JsonNode array) {
        return array.valueStream().map(JsonNode::asString).toList();
    }

    private interface Probe<T> {
        /** The value once the condition holds, else null. */
        T value();
    }

    /** Polls until the probe answers, within {@link #WAIT}. */
    private static <T> T await(String what, Probe<T> probe) {
        Instant deadline = Instant.now().plus(WAIT);
        RuntimeException last = null;
        while (Instant.now().isBefore(deadline)) {
            try {
                T value = probe.value();
                if (value != null) {
                    return value;
                }
            } catch (KubernetesClientException e) {
                last = e;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new AssertionError("timed out after " + WAIT.toSeconds() + " s waiting for " + what
                + (last == null ? "" : "; last error: " + last.getMessage()), last);
    }

    // --- helpers ---

    private static ResourceDefinitionContext context(String group, String version, String kind, String plural,
            boolean namespaced) {
        return new ResourceDefinitionContext.Builder().withGroup(group).withVersion(version).withKind(kind)
                .withPlural(plural).withNamespaced(namespaced).build();
    }

    private String yaml(Object object) {
        return kube.getKubernetesSerialization().asYaml(object);
    }

    private static String list(List<ObjectNode> objects) {
        ObjectNode list = JSON.createObjectNode().put("apiVersion", "v1").put("kind", "List");
        ArrayNode items = list.putArray("items");
        objects.forEach(items::add);
        return list.toString();
    }

    private static X509Certificate certificate(String pem) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
        } catch (java.security.cert.CertificateException e) {
            throw new IllegalStateException("not a certificate: " + pem, e);
        }
    }

    private static X509Certificate bundle(String caBundle) {
        assertThat(caBundle).as("caBundle").isNotBlank();
        return certificate(new String(Base64.getDecoder().decode(caBundle), StandardCharsets.US_ASCII));
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on loopback", e);
        }
    }
}
