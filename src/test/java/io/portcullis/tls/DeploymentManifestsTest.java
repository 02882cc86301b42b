package io.portcullis.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.portcullis.Portcullis;
import io.portcullis.kube.lease.LeaseProperties;
import io.portcullis.json.JsonFields;
import io.portcullis.constraint.Manifests;
import io.portcullis.webhook.AdmissionController;
import io.portcullis.webhook.WebhookProperties;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.web.bind.annotation.PostMapping;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The install manifests in k8s/ are read as kubectl reads them and checked against each other and against the
 * code they configure: names the code looks up, paths the controllers serve, options the CLI has, the
 * service account, selectors, the restricted Pod Security profile, the webhook timeouts against the deadline.
 * When kubectl is on the PATH, {@code kubectl kustomize k8s/} must render the same objects.
 */
class DeploymentManifestsTest {
    private static final String CHECK_IGNORE_LABEL = "check-ignore-label.portcullis.dev";


    private static final String NS = "portcullis-system";
    private static final Path PROJECT = Path.of(System.getProperty("portcullis.project.dir", ".")).toAbsolutePath();
    private static final Path K8S = PROJECT.resolve("k8s");

    private static final List<ObjectNode> objects = new ArrayList<>();
    private static ObjectNode kustomization;

    @BeforeAll
    static void read() throws Exception {
        kustomization = Manifests.readObjects(K8S.resolve("kustomization.yaml")).getFirst();
        for (String resource : strings(kustomization.path("resources"))) {
            objects.addAll(Manifests.readObjects(K8S.resolve(resource)));
        }
    }

    @Test
    void everyYamlFileUnderK8sParsesIntoNamedObjects() throws Exception {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(K8S)) {
            files = walk.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
        }
        assertThat(files).hasSizeGreaterThan(10);
        for (Path file : files) {
            for (ObjectNode object : Manifests.readObjects(file)) {
                assertThat(JsonFields.text(object.get("apiVersion"))).as(file + " apiVersion").isNotBlank();
                assertThat(JsonFields.text(object.get("kind"))).as(file + " kind").isNotBlank();
                if (!file.getFileName().toString().equals("kustomization.yaml")) {
                    assertThat(JsonFields.name(object)).as(file + " metadata.name").isNotBlank();
                }
            }
        }
    }

    @Test
    void kustomizationListsExistingFilesAndEveryCrdAndEveryManifest() throws Exception {
        List<String> resources = strings(kustomization.path("resources"));
        for (String resource : resources) {
            assertThat(K8S.resolve(resource)).as(resource).isRegularFile();
        }
        Set<String> onDisk = new HashSet<>();
        try (Stream<Path> files = Files.list(K8S.resolve("crds"))) {
            files.filter(f -> f.toString().endsWith(".yaml")).forEach(f -> onDisk.add("crds/" + f.getFileName()));
        }
        try (Stream<Path> files = Files.list(K8S)) {
            files.filter(f -> f.toString().endsWith(".yaml") && !f.endsWith("kustomization.yaml"))
                    .forEach(f -> onDisk.add(f.getFileName().toString()));
        }
        assertThat(resources).containsExactlyInAnyOrderElementsOf(onDisk);
        assertThat(objects).filteredOn(o -> kind(o).equals("CustomResourceDefinition"))
                .extracting(JsonFields::name)
                .contains("constrainttemplates.templates.gatekeeper.sh", "profilebindings.security-profiles-operator.x-k8s.io");
    }

    @Test
    void installsEveryPartInOurNamespace() {
        assertThat(objects).extracting(DeploymentManifestsTest::kind).contains("Namespace", "ServiceAccount",
                "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "Secret", "Service", "Deployment",
                "PodDisruptionBudget", "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration", "CronJob");
        Set<String> clusterScoped = Set.of("Namespace", "ClusterRole", "ClusterRoleBinding",
                "CustomResourceDefinition", "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration");
        for (ObjectNode object : objects) {
            String expected = clusterScoped.contains(kind(object)) ? "" : NS;
            assertThat(JsonFields.namespace(object)).as(JsonFields.describe(object)).isEqualTo(expected);
        }
        ObjectNode namespace = one("Namespace", NS);
        assertThat(JsonFields.labels(namespace))
                .containsEntry("admission.gatekeeper.sh/ignore", "no-self-managing")
                .containsEntry("pod-security.kubernetes.io/enforce", "restricted");
    }

    @Test
    void namesTheCodeLooksUpExist() throws Exception {
        one("Secret", TlsProperties.DEFAULT_SECRET_NAME);
        one("ValidatingWebhookConfiguration", TlsProperties.DEFAULT_VALIDATING_WEBHOOK_CONFIGURATION);
        one("MutatingWebhookConfiguration", TlsProperties.DEFAULT_MUTATING_WEBHOOK_CONFIGURATION);
        one("Service", CertificateSpec.DEFAULT_SERVICE_NAME);

        ObjectNode role = one("Role", "portcullis");
        assertThat(resourceNames(role, "secrets")).containsExactly(TlsProperties.DEFAULT_SECRET_NAME);
        assertThat(resourceNames(role, "leases")).containsExactly(defaultOf(LeaseProperties.class, "leaseName"));
        ObjectNode clusterRole = one("ClusterRole", "portcullis");
        assertThat(resourceNames(clusterRole, "validatingwebhookconfigurations")).containsExactlyInAnyOrder(
                TlsProperties.DEFAULT_VALIDATING_WEBHOOK_CONFIGURATION,
                TlsProperties.DEFAULT_MUTATING_WEBHOOK_CONFIGURATION);
        for (ObjectNode binding : kinds("ClusterRoleBinding", "RoleBinding")) {
            String roleKind = JsonFields.text(binding.path("roleRef").get("kind"));
            one(roleKind, JsonFields.text(binding.path("roleRef").get("name")));
            for (JsonNode subject : binding.path("subjects")) {
                assertThat(one("ServiceAccount", JsonFields.text(subject.get("name"))))
                        .as("subject of " + JsonFields.describe(binding)).isNotNull();
                assertThat(JsonFields.text(subject.get("namespace"))).isEqualTo(NS);
            }
        }
    }

    @Test
    void podsRunUnderTheServiceAccountRestrictedAndWithPinnedImages() throws Exception {
        String version = projectVersion();
        for (ObjectNode workload : kinds("Deployment", "CronJob")) {
            JsonNode pod = podSpec(workload);
            String what = JsonFields.describe(workload);
            one("ServiceAccount", JsonFields.text(pod.get("serviceAccountName")));
            assertThat(pod.path("securityContext").path("runAsNonRoot").asBoolean()).as(what).isTrue();
            assertThat(pod.path("securityContext").path("runAsUser").isIntegralNumber()).as(what).isTrue();
            assertThat(JsonFields.text(pod.path("securityContext").path("seccompProfile").get("type")))
                    .isEqualTo("RuntimeDefault");
            for (JsonNode container : pod.path("containers")) {
                String image = JsonFields.text(container.get("image"));
                assertThat(image).as(what).contains(":").doesNotEndWith(":latest");
                assertThat(image).isEqualTo("portcullis:" + version);
                JsonNode security = container.path("securityContext");
                assertThat(security.path("allowPrivilegeEscalation").isBoolean()).isTrue();
                assertThat(security.path("allowPrivilegeEscalation").asBoolean()).isFalse();
                assertThat(security.path("readOnlyRootFilesystem").asBoolean()).isTrue();
                assertThat(strings(security.path("capabilities").path("drop"))).containsExactly("ALL");
                assertThat(mounts(container)).as("java.io.tmpdir for the OPA compiler").containsKey("/tmp");
                assertThat(env(container)).containsKey("POD_NAMESPACE");
                assertThat(container.path("resources").path("limits").has("memory")).isTrue();
            }
        }
        assertThat(strings(kustomization.path("images").get(0).path("newTag"))).containsExactly(version);
    }

    @Test
    void deploymentIsSpreadProbedOverHttpsAndWritesOnlyItsVolumes() {
        ObjectNode deployment = one("Deployment", "portcullis");
        JsonNode pod = podSpec(deployment);
        JsonNode container = pod.path("containers").get(0);
        Map<String, String> labels = JsonFields.labels(deployment.path("spec").path("template"));
        assertThat(deployment.path("spec").path("replicas").asInt()).isEqualTo(3);
        assertThat(selector(deployment.path("spec").path("selector"))).isEqualTo(labels);
        assertThat(labels).containsAllEntriesOf(selector(pod.path("topologySpreadConstraints").get(0)
                .path("labelSelector")));
        assertThat(JsonFields.text(pod.path("topologySpreadConstraints").get(0).get("topologyKey")))
                .isEqualTo("kubernetes.io/hostname");
        assertThat(labels).containsAllEntriesOf(selector(pod.path("affinity").path("podAntiAffinity")
                .path("preferredDuringSchedulingIgnoredDuringExecution").get(0).path("podAffinityTerm")
                .path("labelSelector")));
        assertThat(labels).containsAllEntriesOf(selector(one("PodDisruptionBudget", "portcullis").path("spec")
                .path("selector")));

        int port = container.path("ports").get(0).path("containerPort").asInt();
        assertThat(port).isEqualTo(8443);
        for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            JsonNode get = container.path(probe).path("httpGet");
            assertThat(JsonFields.text(get.get("scheme"))).as(probe).isEqualTo("HTTPS");
            assertThat(JsonFields.text(get.get("port"))).isEqualTo(JsonFields.text(container.path("ports").get(0).get("name")));
            assertThat(JsonFields.text(get.get("path"))).isIn("/livez", "/readyz");
        }
        assertThat(JsonFields.text(container.path("readinessProbe").path("httpGet").get("path"))).isEqualTo("/readyz");

        Map<String, String> env = env(container);
        assertThat(env).containsEntry("PORTCULLIS_SOURCE", "kubernetes").containsKeys("POD_NAME", "POD_NAMESPACE");
        assertThat(env.get("JAVA_TOOL_OPTIONS")).contains("-XX:MaxRAMPercentage=");
        Map<String, String> mounts = mounts(container);
        assertThat(mounts).containsKeys("/tmp", env.get("PORTCULLIS_TLS_CERTDIR"), env.get("PORTCULLIS_ENGINE_CACHEDIR"));
        Set<String> emptyDirs = new HashSet<>();
        pod.path("volumes").forEach(v -> {
            if (v.has("emptyDir")) {
                emptyDirs.add(JsonFields.text(v.get("name")));
            }
        });
        assertThat(emptyDirs).containsAll(mounts.values());

        ObjectNode service = one("Service", "portcullis");
        assertThat(labels).containsAllEntriesOf(selector(service.path("spec")));
        Map<String, String> auditLabels = JsonFields.labels(one("CronJob", "portcullis-audit").path("spec")
                .path("jobTemplate").path("spec").path("template"));
        assertThat(auditLabels.entrySet().containsAll(selector(service.path("spec")).entrySet()))
                .as("the Service must not send reviews to audit pods").isFalse();
        assertThat(JsonFields.labels(deployment.path("spec").path("template")).get("app.kubernetes.io/name"))
                .isEqualTo("portcullis");
        assertThat(deployment.path("spec").path("template").path("metadata").path("annotations")
                .path("prometheus.io/path").asString()).isEqualTo("/actuator/prometheus");
    }

    @Test
    void webhooksReachOurServiceOnPathsTheControllerServesWithinItsDeadline() throws Exception {
        Set<String> served = new HashSet<>();
        for (Method method : AdmissionController.class.getDeclaredMethods()) {
            PostMapping mapping = method.getAnnotation(PostMapping.class);
            if (mapping != null) {
                served.addAll(List.of(mapping.path()));
            }
        }
        Duration deadline = DurationStyle.detectAndParse(defaultOf(WebhookProperties.class, "deadline"));
        ObjectNode service = one("Service", "portcullis");
        Set<Integer> servicePorts = new HashSet<>();
        service.path("spec").path("ports").forEach(p -> servicePorts.add(p.path("port").asInt()));

        Map<String, String> paths = new HashMap<>();
        for (ObjectNode configuration : kinds("ValidatingWebhookConfiguration", "MutatingWebhookConfiguration")) {
            for (JsonNode webhook : configuration.path("webhooks")) {
                String name = JsonFields.text(webhook.get("name"));
                JsonNode target = webhook.path("clientConfig").path("service");
                assertThat(JsonFields.text(target.get("name"))).as(name).isEqualTo(JsonFields.name(service));
                assertThat(JsonFields.text(target.get("namespace"))).isEqualTo(NS);
                assertThat(servicePorts).contains(target.path("port").asInt());
                assertThat(served).as(name + " path").contains(JsonFields.text(target.get("path")));
                paths.put(name, JsonFields.text(target.get("path")));
                assertThat(webhook.path("clientConfig").has("caBundle")).as("patched at run time").isFalse();
                assertThat(JsonFields.text(webhook.get("sideEffects"))).isEqualTo("None");
                // check-ignore-label fails closed, as Gatekeeper's: else an outage would let anyone exempt a namespace.
                assertThat(JsonFields.text(webhook.get("failurePolicy"))).as(name)
                        .isEqualTo(name.equals(CHECK_IGNORE_LABEL) ? "Fail" : "Ignore");
                assertThat(strings(webhook.path("admissionReviewVersions"))).containsExactly("v1", "v1beta1");
                assertThat(Duration.ofSeconds(webhook.path("timeoutSeconds").asInt()))
                        .as(name + ": our deadline answer must arrive before the API server gives up")
                        .isGreaterThanOrEqualTo(deadline.plusSeconds(1));
                assertThat(excluded(webhook.path("namespaceSelector"))).contains(NS);
                for (JsonNode rule : webhook.path("rules")) {
                    assertThat(strings(rule.path("operations"))).containsExactly("CREATE", "UPDATE");
                    if (name.equals(CHECK_IGNORE_LABEL)) {
                        assertThat(strings(rule.path("apiGroups"))).containsExactly("");
                        assertThat(strings(rule.path("resources"))).containsExactly("namespaces");
                    } else {
                        assertThat(strings(rule.path("apiGroups"))).containsExactly("*");
                        assertThat(strings(rule.path("resources"))).contains("*");
                    }
                }
            }
        }
        assertThat(paths).containsEntry("validation.portcullis.dev", "/v1/admit")
                .containsEntry(CHECK_IGNORE_LABEL, "/v1/admitlabel")
                .containsEntry("mutation.portcullis.dev", "/v1/mutate");
        JsonNode mutation = one("MutatingWebhookConfiguration", TlsProperties.DEFAULT_MUTATING_WEBHOOK_CONFIGURATION)
                .path("webhooks").get(0);
        assertThat(JsonFields.text(mutation.get("reinvocationPolicy"))).isEqualTo("IfNeeded");
    }

    @Test
    void auditCronJobRunsAnAuditCommandWithOptionsTheCliHas() {
        JsonNode container = podSpec(one("CronJob", "portcullis-audit")).path("containers").get(0);
        List<String> args = strings(container.path("args"));
        assertThat(args.getFirst()).isEqualTo("audit");
        CommandLine audit = Portcullis.commandLine().getSubcommands().get("audit");
        assertThat(audit).as("portcullis audit").isNotNull();
        for (String arg : args.subList(1, args.size())) {
            if (arg.startsWith("-")) {
                assertThat(audit.getCommandSpec().findOption(arg.split("=")[0])).as(arg).isNotNull();
            }
        }
        assertThat(args).contains("--write-status");
        assertThat(Portcullis.commandLine().getSubcommands()).containsKey("serve");
        assertThat(strings(podSpec(one("Deployment", "portcullis")).path("containers").get(0).path("args")))
                .containsExactly("serve");
    }

    @Test
    void kubectlKustomizeRendersTheSameObjects() throws Exception {
        Assumptions.assumeTrue(onPath("kubectl"), "kubectl is not on the PATH: `kubectl kustomize k8s/` not run");
        String rendered = run("kubectl", "kustomize", K8S.toString());
        List<ObjectNode> out = Manifests.readObjects(rendered, "kubectl kustomize k8s/");
        assertThat(out).extracting(o -> kind(o) + "/" + JsonFields.name(o))
                .containsExactlyInAnyOrderElementsOf(objects.stream().map(o -> kind(o) + "/" + JsonFields.name(o)).toList());
        assertThat(out).allSatisfy(o -> assertThat(JsonFields.labels(o)).containsEntry("app.kubernetes.io/part-of", "portcullis"));
    }

    // --- helpers

    private static String kind(JsonNode object) {
        return JsonFields.text(object.get("kind"));
    }

    private static List<ObjectNode> kinds(String... kinds) {
        Set<String> wanted = Set.of(kinds);
        return objects.stream().filter(o -> wanted.contains(kind(o))).toList();
    }

    private static ObjectNode one(String kind, String name) {
        List<ObjectNode> found = objects.stream().filter(o -> kind(o).equals(kind) && JsonFields.name(o).equals(name))
                .toList();
        assertThat(found).as(kind + "/" + name).hasSize(1);
        return found.getFirst();
    }

    private static JsonNode podSpec(JsonNode workload) {
        JsonNode spec = workload.path("spec");
        if (kind(workload).equals("CronJob")) {
            spec = spec.path("jobTemplate").path("spec");
        }
        return spec.path("template").path("spec");
    }

    private static List<String> strings(JsonNode node) {
        List<String> out = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(n -> out.add(JsonFields.text(n)));
        } else if (!node.isMissingNode() && !node.isNull()) {
            out.add(JsonFields.text(node));
        }
        return out;
    }

    private static Map<String, String> selector(JsonNode holder) {
        JsonNode labels = holder.has("matchLabels") ? holder.get("matchLabels") : holder.path("selector");
        Map<String, String> out = new HashMap<>();
        labels.properties().forEach(e -> out.put(e.getKey(), JsonFields.text(e.getValue())));
        return out;
    }

    private static Map<String, String> env(JsonNode container) {
        Map<String, String> out = new HashMap<>();
        container.path("env").forEach(e -> out.put(JsonFields.text(e.get("name")),
                e.has("value") ? JsonFields.text(e.get("value")) : JsonFields.text(e.path("valueFrom").path("fieldRef")
                        .get("fieldPath"))));
        return out;
    }

    /** mountPath to volume name. */
    private static Map<String, String> mounts(JsonNode container) {
        Map<String, String> out = new HashMap<>();
        container.path("volumeMounts").forEach(m -> out.put(JsonFields.text(m.get("mountPath")), JsonFields.text(m.get("name"))));
        return out;
    }

    private static List<String> resourceNames(JsonNode role, String resource) {
        List<String> out = new ArrayList<>();
        for (JsonNode rule : role.path("rules")) {
            if (strings(rule.path("resources")).contains(resource)) {
                out.addAll(strings(rule.path("resourceNames")));
            }
        }
        return out;
    }

    /** Namespaces a namespaceSelector leaves out by name. */
    private static List<String> excluded(JsonNode selector) {
        List<String> out = new ArrayList<>();
        for (JsonNode expression : selector.path("matchExpressions")) {
            if ("kubernetes.io/metadata.name".equals(JsonFields.text(expression.get("key")))
                    && "NotIn".equals(JsonFields.text(expression.get("operator")))) {
                out.addAll(strings(expression.path("values")));
            }
        }
        return out;
    }

    /** The @DefaultValue of a configuration properties record's component. */
    private static String defaultOf(Class<? extends Record> type, String component) {
        RecordComponent[] components = type.getRecordComponents();
        for (int i = 0; i < components.length; i++) {
            if (components[i].getName().equals(component)) {
                Class<?>[] types = java.util.Arrays.stream(components).map(RecordComponent::getType)
                        .toArray(Class<?>[]::new);
                DefaultValue value;
                try {
                    value = type.getDeclaredConstructor(types).getParameters()[i].getAnnotation(DefaultValue.class);
                } catch (NoSuchMethodException e) {
                    throw new AssertionError(e);
                }
                assertThat(value).as(type.getSimpleName() + "." + component + " default").isNotNull();
                return value.value()[0];
            }
        }
        throw new AssertionError("no component " + component + " in " + type);
    }

    @Test
    void serverJvmFlagsAreTheImagesAndLeaveRoomBesideTheHeap() throws IOException {
        JsonNode container = podSpec(one("Deployment", "portcullis")).path("containers").get(0);
        String flags = env(container).get("JAVA_TOOL_OPTIONS").strip().replaceAll("\\s+", " ");
        assertThat(flags).contains("-XX:+ExitOnOutOfMemoryError", "-XX:-DontCompileHugeMethods");

        String pom = Files.readString(PROJECT.resolve("pom.xml"), StandardCharsets.UTF_8);
        Matcher image = Pattern.compile("<JAVA_TOOL_OPTIONS>([^<]+)</JAVA_TOOL_OPTIONS>").matcher(pom);
        assertThat(image.find()).as("the image's JAVA_TOOL_OPTIONS in pom.xml").isTrue();
        assertThat(flags).as("the Deployment spells out the image's flags").isEqualTo(image.group(1).strip());

        JsonNode resources = container.path("resources");
        long limit = bytes(JsonFields.text(resources.path("limits").get("memory")));
        assertThat(bytes(JsonFields.text(resources.path("requests").get("memory")))).isEqualTo(limit);
        Matcher percent = Pattern.compile("-XX:MaxRAMPercentage=([0-9.]+)").matcher(flags);
        assertThat(percent.find()).isTrue();
        long heap = (long) (limit * Double.parseDouble(percent.group(1)) / 100);
        // Metaspace, JIT code and threads take about 250 MiB beside the heap; the OPA compiler runs in the container.
        assertThat(limit - heap).as("memory beside the heap").isGreaterThanOrEqualTo(384L << 20);
    }

    /** A Kubernetes memory quantity in Mi or Gi. */
    private static long bytes(String quantity) {
        Matcher m = Pattern.compile("(\\d+)(Mi|Gi)").matcher(quantity);
        assertThat(m.matches()).as(quantity + " in Mi or Gi").isTrue();
        return Long.parseLong(m.group(1)) << (m.group(2).equals("Gi") ? 30 : 20);
    }

    private static String projectVersion() throws IOException {
        String pom = Files.readString(PROJECT.resolve("pom.xml"), StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("<artifactId>portcullis</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
        assertThat(m.find()).as("project version in pom.xml").isTrue();
        return m.group(1);
    }

    private static boolean onPath(String program) {
        String path = System.getenv("PATH");
        return path != null && Stream.of(path.split(java.io.File.pathSeparator))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, program)));
    }

    private static String run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(process.exitValue()).as(String.join(" ", command) + ":\n" + out).isZero();
        return out;
    }
}
