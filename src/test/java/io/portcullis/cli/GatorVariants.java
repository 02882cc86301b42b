package io.portcullis.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Deterministic variants of a gatekeeper-library case object for {@link GatorDifferentialTest}: each variant
 * changes what the library's templates read (images, securityContext, capabilities, ports, host namespaces,
 * volumes, resources with unusual quantities, labels, annotations, namespaces, numbers) or removes or adds fields.
 * A variant that does not apply to an object (no pod spec, no replicas...) is not produced. Nothing is random:
 * the same object always gives the same variants in the same order.
 */
final class GatorVariants {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    /** A named change of a copy of the object; returns false when it does not apply. */
    private interface Change {
        boolean apply(ObjectNode object);
    }

    private record Named(String name, Change change) {
    }

    /** A variant: the change's name and the changed copy. */
    record Variant(String name, ObjectNode object) {
    }

    private static final List<Named> CHANGES = List.of(
            // Images: tags, digests, registries with ports, the repos the library's samples allow.
            containers("image-latest", c -> c.put("image", repo(c.path("image").asString()) + ":latest")),
            containers("image-untagged", c -> c.put("image", repo(c.path("image").asString()))),
            containers("image-digest", c -> c.put("image", repo(c.path("image").asString())
                    + "@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")),
            containers("image-registry-port", c -> c.put("image", "localhost:5000/" + c.path("image").asString())),
            containers("image-openpolicyagent", c -> c.put("image", "openpolicyagent/opa:0.9.2")),
            containers("image-missing", c -> c.remove("image")),
            // securityContext values.
            containers("privileged", c -> sc(c).put("privileged", true).put("allowPrivilegeEscalation", true)),
            containers("run-as-root", c -> sc(c).put("privileged", false).put("runAsUser", 0)
                    .put("runAsNonRoot", false).put("runAsGroup", 0)),
            podSpec("run-as-non-root", s -> {
                s.putObject("securityContext").put("runAsNonRoot", true).put("runAsUser", 1000)
                        .put("runAsGroup", 3000).put("fsGroup", 2000)
                        .set("supplementalGroups", JSON.arrayNode().add(5).add(70000));
                forEachContainer(s, c -> sc(c).put("runAsUser", 65534).put("readOnlyRootFilesystem", true)
                        .put("allowPrivilegeEscalation", false));
            }),
            podSpec("no-security-context", s -> {
                s.remove("securityContext");
                forEachContainer(s, c -> c.remove("securityContext"));
            }),
            containers("seccomp-unconfined", c -> sc(c).putObject("seccompProfile").put("type", "Unconfined")),
            containers("seccomp-localhost", c -> sc(c).putObject("seccompProfile").put("type", "Localhost")
                    .put("localhostProfile", "profiles/audit.json")),
            podSpec("seccomp-runtime-default-pod", s -> s.withObject("securityContext")
                    .putObject("seccompProfile").put("type", "RuntimeDefault")),
            containers("selinux", c -> sc(c).putObject("seLinuxOptions").put("level", "s0:c123,c456")
                    .put("role", "object_r").put("type", "svirt_sandbox_file_t").put("user", "system_u")),
            containers("proc-mount-unmasked", c -> sc(c).put("procMount", "Unmasked")),
            containers("windows-host-process", c -> sc(c).putObject("windowsOptions").put("hostProcess", true)),
            // Capabilities, including lower case names and ALL.
            containers("caps-add-all", c -> caps(c, List.of("ALL"), List.of())),
            containers("caps-drop-all-add-one", c -> caps(c, List.of("NET_BIND_SERVICE"), List.of("ALL"))),
            containers("caps-lower-case", c -> caps(c, List.of("net_admin", "SYS_ADMIN"), List.of("all", "KILL"))),
            // Ports and host namespaces.
            containers("host-ports", c -> c.set("ports", JSON.arrayNode()
                    .add(JSON.objectNode().put("containerPort", 80).put("hostPort", 80))
                    .add(JSON.objectNode().put("containerPort", 9000).put("hostPort", 65535).put("protocol", "UDP")))),
            containers("container-port-only", c -> c.set("ports", JSON.arrayNode()
                    .add(JSON.objectNode().put("containerPort", 8080).put("name", "http")))),
            podSpec("host-namespaces", s -> s.put("hostNetwork", true).put("hostPID", true).put("hostIPC", true)),
            // Volumes.
            podSpec("volumes-host-path", s -> {
                s.set("volumes", JSON.arrayNode()
                        .add(volume("root", "hostPath", JSON.objectNode().put("path", "/")))
                        .add(volume("logs", "hostPath", JSON.objectNode().put("path", "/var/log/pods")
                                .put("type", "Directory"))));
                forEachContainer(s, c -> c.set("volumeMounts", JSON.arrayNode()
                        .add(JSON.objectNode().put("name", "root").put("mountPath", "/host").put("readOnly", true))
                        .add(JSON.objectNode().put("name", "logs").put("mountPath", "/logs"))));
            }),
            podSpec("volumes-mixed", s -> s.set("volumes", JSON.arrayNode()
                    .add(volume("scratch", "emptyDir", JSON.objectNode().put("sizeLimit", "500Mi")))
                    .add(volume("config", "configMap", JSON.objectNode().put("name", "app-config")))
                    .add(volume("lvm", "flexVolume", JSON.objectNode().put("driver", "example/lvm")))
                    .add(volume("csi", "csi", JSON.objectNode().put("driver", "inline.storage.kubernetes.io")))
                    .add(volume("token", "projected", JSON.objectNode().set("sources", JSON.arrayNode()))))),
            podSpec("volumes-none", s -> {
                s.remove("volumes");
                forEachContainer(s, c -> c.remove("volumeMounts"));
            }),
            // Resources: ordinary and unusual quantities, numbers instead of strings, missing parts.
            containers("resources-usual", c -> resources(c, q("100m", "128Mi"), q("200m", "256Mi"))),
            containers("resources-unusual", c -> resources(c, q("1.5", "1e3"), q("+2", "1.5Gi"))),
            containers("resources-numbers", c -> {
                ObjectNode r = c.putObject("resources");
                r.putObject("limits").put("cpu", 0.5).put("memory", 1024);
                r.putObject("requests").put("cpu", 1).put("memory", 512);
            }),
            containers("resources-zero-and-suffixes", c -> resources(c, q("0", "1Ki"), q("2000m", "2G"))),
            containers("resources-requests-over-limits", c -> resources(c, q("4", "4Gi"), q("1", "1Gi"))),
            containers("resources-limits-only", c -> {
                c.putObject("resources").putObject("limits").put("cpu", "1").put("memory", "1Gi");
            }),
            containers("resources-none", c -> c.remove("resources")),
            // Probes, and an ephemeral container beside the others.
            containers("probes", c -> {
                c.putObject("livenessProbe").putObject("tcpSocket").put("port", 80);
                c.putObject("readinessProbe").putObject("httpGet").put("path", "/healthz").put("port", 8080);
            }),
            containers("probes-none", c -> {
                c.remove("livenessProbe");
                c.remove("readinessProbe");
            }),
            podSpec("ephemeral-container", s -> s.set("ephemeralContainers", JSON.arrayNode()
                    .add(JSON.objectNode().put("name", "debugger").put("image", "busybox:1.36")
                            .set("securityContext", JSON.objectNode().put("privileged", true))))),
            podSpec("sysctls", s -> s.withObject("securityContext").set("sysctls", JSON.arrayNode()
                    .add(JSON.objectNode().put("name", "kernel.shm_rmid_forced").put("value", "0"))
                    .add(JSON.objectNode().put("name", "net.core.somaxconn").put("value", "1024")))),
            podSpec("automount-token", s -> s.put("automountServiceAccountToken", true)),
            podSpec("no-containers", s -> s.set("containers", JSON.arrayNode())),
            // Metadata: labels and annotations (added, emptied, removed), namespaces.
            new Named("labels-extra", o -> {
                o.withObject("metadata").withObject("labels").put("app", "web").put("owner", "me.agilebank.demo")
                        .put("env", "").put("app.kubernetes.io/name", "x");
                return true;
            }),
            new Named("labels-none", o -> o.withObject("metadata").remove("labels") != null),
            new Named("annotations", o -> {
                o.withObject("metadata").withObject("annotations")
                        .put("seccomp.security.alpha.kubernetes.io/pod", "runtime/default")
                        .put("container.apparmor.security.beta.kubernetes.io/nginx", "unconfined")
                        .put("kubernetes.io/ingress.allow-http", "false")
                        .put("note", "");
                return true;
            }),
            new Named("annotations-none", o -> o.withObject("metadata").remove("annotations") != null),
            // Not on Namespaces: gator test aborts the whole run on a Namespace carrying metadata.namespace
            // ("cannot cache Namespace"), where Portcullis reviews it; the API server never stores one.
            new Named("namespace-default", o -> setNamespace(o, "default")),
            new Named("namespace-kube-system", o -> setNamespace(o, "kube-system")),
            new Named("namespace-none", o -> o.withObject("metadata").remove("namespace") != null),
            // Numbers the templates compare, and the shapes of Services and Ingresses.
            new Named("replicas", o -> {
                JsonNode spec = o.path("spec");
                if (!spec.isObject() || !(spec.has("replicas") || spec.has("template"))) {
                    return false;
                }
                ((ObjectNode) spec).put("replicas", 100).put("minReadySeconds", 0);
                return true;
            }),
            new Named("replicas-zero", o -> {
                JsonNode spec = o.path("spec");
                if (!spec.isObject() || !spec.has("replicas")) {
                    return false;
                }
                ((ObjectNode) spec).put("replicas", 0);
                return true;
            }),
            new Named("numbers-bumped", o -> {
                JsonNode spec = o.path("spec");
                return spec.isObject() && bumpNumbers(spec);
            }),
            new Named("service-node-port", o -> {
                if (!o.path("kind").asString().equals("Service")) {
                    return false;
                }
                ObjectNode spec = o.withObject("spec");
                spec.put("type", "NodePort");
                spec.set("externalIPs", JSON.arrayNode().add("203.0.113.7"));
                spec.set("ports", JSON.arrayNode().add(JSON.objectNode().put("port", 80).put("nodePort", 30080)));
                return true;
            }),
            new Named("service-load-balancer", o -> {
                if (!o.path("kind").asString().equals("Service")) {
                    return false;
                }
                o.withObject("spec").put("type", "LoadBalancer").remove("externalIPs");
                return true;
            }),
            new Named("ingress-wildcard-no-tls", o -> {
                if (!o.path("kind").asString().equals("Ingress")) {
                    return false;
                }
                ObjectNode spec = o.withObject("spec");
                spec.remove("tls");
                spec.set("rules", JSON.arrayNode().add(JSON.objectNode().put("host", "*.example.com"))
                        .add(JSON.objectNode().put("host", "")));
                return true;
            }),
            // Missing and extra fields.
            new Named("spec-missing", o -> o.remove("spec") != null),
            new Named("extra-fields", o -> {
                o.withObject("spec").put("unknownField", "x").putObject("nested").put("n", 1.5);
                // A status that is not an object, except on Namespaces: gator test aborts the whole run on such a
                // Namespace ("cannot cache Namespace"), where Portcullis reviews it.
                if (!o.path("kind").asString().equals("Namespace")) {
                    o.put("status", "not-an-object");
                }
                return true;
            }));

    private GatorVariants() {
    }

    private static boolean setNamespace(ObjectNode object, String namespace) {
        if (object.path("kind").asString().equals("Namespace")) {
            return false;
        }
        object.withObject("metadata").put("namespace", namespace);
        return true;
    }

    /** Every variant of the object that applies, in a fixed order. */
    static List<Variant> of(ObjectNode object) {
        List<Variant> variants = new ArrayList<>();
        for (Named named : CHANGES) {
            ObjectNode copy = object.deepCopy();
            if (named.change().apply(copy) && !copy.equals(object)) {
                variants.add(new Variant(named.name(), copy));
            }
        }
        return variants;
    }

    /** A change of every container (containers, initContainers, ephemeralContainers) of every pod spec. */
    private static Named containers(String name, Consumer<ObjectNode> change) {
        return new Named(name, o -> {
            List<ObjectNode> specs = podSpecs(o);
            boolean any = false;
            for (ObjectNode spec : specs) {
                any |= forEachContainer(spec, change);
            }
            return any;
        });
    }

    private static Named podSpec(String name, Consumer<ObjectNode> change) {
        return new Named(name, o -> {
            List<ObjectNode> specs = podSpecs(o);
            specs.forEach(change);
            return !specs.isEmpty();
        });
    }

    /** The pod specs of a Pod, a workload's template, or a CronJob's job template. */
    private static List<ObjectNode> podSpecs(ObjectNode o) {
        List<ObjectNode> specs = new ArrayList<>();
        for (String path : List.of("/spec", "/spec/template/spec", "/spec/jobTemplate/spec/template/spec")) {
            JsonNode spec = o.at(path);
            if (spec instanceof ObjectNode s && s.path("containers").isArray()) {
                specs.add(s);
            }
        }
        return specs;
    }

    private static boolean forEachContainer(ObjectNode spec, Consumer<ObjectNode> change) {
        boolean any = false;
        for (String field : List.of("containers", "initContainers", "ephemeralContainers")) {
            if (spec.path(field) instanceof ArrayNode list) {
                for (JsonNode c : list) {
                    if (c instanceof ObjectNode container) {
                        change.accept(container);
                        any = true;
                    }
                }
            }
        }
        return any;
    }

    private static ObjectNode sc(ObjectNode container) {
        return container.withObject("securityContext");
    }

    private static void caps(ObjectNode container, List<String> add, List<String> drop) {
        ObjectNode caps = sc(container).putObject("capabilities");
        add.forEach(caps.putArray("add")::add);
        drop.forEach(caps.putArray("drop")::add);
    }

    private static ObjectNode volume(String name, String type, ObjectNode source) {
        ObjectNode v = JSON.objectNode().put("name", name);
        v.set(type, source);
        return v;
    }

    private static ObjectNode q(String cpu, String memory) {
        return JSON.objectNode().put("cpu", cpu).put("memory", memory);
    }

    private static void resources(ObjectNode container, ObjectNode limits, ObjectNode requests) {
        ObjectNode r = container.putObject("resources");
        r.set("limits", limits.deepCopy());
        r.set("requests", requests.deepCopy());
    }

    /** The image without its tag or digest (a registry port is kept). */
    private static String repo(String image) {
        String s = image;
        int at = s.indexOf('@');
        if (at >= 0) {
            s = s.substring(0, at);
        }
        int colon = s.lastIndexOf(':');
        if (colon > s.lastIndexOf('/')) {
            s = s.substring(0, colon);
        }
        return s.isEmpty() ? "nginx" : s;
    }

    /** Every integer under the node plus one (ports, replicas, counts...); whether there was any. */
    private static boolean bumpNumbers(JsonNode node) {
        boolean any = false;
        if (node instanceof ObjectNode obj) {
            for (String field : List.copyOf(obj.propertyNames())) {
                JsonNode child = obj.get(field);
                if (child.isIntegralNumber()) {
                    obj.put(field, child.asLong() + 1);
                    any = true;
                } else {
                    any |= bumpNumbers(child);
                }
            }
        } else if (node instanceof ArrayNode arr) {
            for (int i = 0; i < arr.size(); i++) {
                JsonNode child = arr.get(i);
                if (child.isIntegralNumber()) {
                    arr.set(i, JSON.numberNode(child.asLong() + 1));
                    any = true;
                } else {
                    any |= bumpNumbers(child);
                }
            }
        }
        return any;
    }
}
