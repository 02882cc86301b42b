package io.portcullis.kube;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.portcullis.json.JsonFields;
import io.portcullis.constraint.ManifestException;
import io.portcullis.constraint.Manifests;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Installs the CRDs Portcullis reads (k8s/crds: Gatekeeper's templates, Config, SyncSet and mutators, SPO's profiles
 * and bindings) at start, with server-side apply, and waits until the API server serves them. A CRD that exists
 * and is not ours (installed by Gatekeeper's or SPO's own chart) is left alone and only checked: it must serve the
 * versions ours serves, or objects of the missing versions will not be seen.
 */
final class CrdInstaller {
    static final ResourceDefinitionContext CRDS = KubeJson.context("apiextensions.k8s.io", "v1",
            "CustomResourceDefinition", "customresourcedefinitions", false);
    static final String CLASSPATH_LOCATION = "classpath*:k8s/crds/*.yaml";
    private static final String PART_OF = "app.kubernetes.io/part-of";
    private static final Logger log = LoggerFactory.getLogger(CrdInstaller.class);

    private final KubernetesClient client;
    private final KubeJson json;
    private final ServerSideApply apply;

    CrdInstaller(KubernetesClient client, KubeJson json, ServerSideApply apply) {
        this.client = client;
        this.json = json;
        this.apply = apply;
    }

    /** The CRD manifests in the directory, or packed in the jar (k8s/crds/*.yaml) when it is null. */
    static List<ObjectNode> manifests(Path directory) {
        List<ObjectNode> crds = new ArrayList<>();
        try {
            if (directory != null) {
                try (Stream<Path> files = Files.list(directory)) {
                    for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                        crds.addAll(Manifests.readObjects(file));
                    }
                }
            } else {
                Resource[] resources = new PathMatchingResourcePatternResolver().getResources(CLASSPATH_LOCATION);
                for (Resource resource : resources) {
                    try (InputStream in = resource.getInputStream()) {
                        crds.addAll(Manifests.readObjects(new String(in.readAllBytes(), StandardCharsets.UTF_8),
                                resource.getDescription()));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the CRD manifests", e);
        } catch (ManifestException e) {
            throw new IllegalStateException("a CRD manifest is unreadable: " + e.getMessage(), e);
        }
        crds.removeIf(o -> !"CustomResourceDefinition".equals(JsonFields.text(o.get("kind"))));
        crds.sort((a, b) -> JsonFields.name(a).compareTo(JsonFields.name(b)));
        return crds;
    }

    /**
     * Applies each CRD that is missing or ours (when {@code install} is true), checks the others, then waits up to
     * {@code timeout} for the applied ones to be Established. Answers the names of the CRDs that are not usable.
     */
    List<String> installAll(List<ObjectNode> crds, boolean install, Duration timeout) {
        Set<String> applied = new HashSet<>();
        List<String> unusable = new ArrayList<>();
        for (ObjectNode crd : crds) {
            String name = JsonFields.name(crd);
            ObjectNode existing = get(name);
            if (existing != null && !isOurs(existing)) {
                check(existing, crd);
            } else if (install) {
                apply.apply(CRDS, crd);
                applied.add(name);
                log.info("applied CRD {}", name);
            } else if (existing == null) {
                log.warn("CRD {} is not installed, and installing CRDs is turned off (portcullis.kubernetes.install-crds)",
                        name);
                unusable.add(name);
            } else {
                check(existing, crd);
            }
        }
        unusable.addAll(awaitEstablished(applied, timeout));
        return unusable;
    }

    ObjectNode get(String name) {
        GenericKubernetesResource found = client.genericKubernetesResources(CRDS).withName(name).get();
        return found == null ? null : json.tree(found, CRDS);
    }

    /** Polls until every CRD is Established; answers those that are not at the deadline. */
    List<String> awaitEstablished(Set<String> names, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        Set<String> waiting = new HashSet<>(names);
        while (true) {
            waiting.removeIf(name -> {
                ObjectNode crd = get(name);
                return crd != null && KubeJson.isEstablished(crd);
            });
            if (waiting.isEmpty()) {
                return List.of();
            }
            if (Instant.now().isAfter(deadline)) {
                log.warn("CRDs not Established after {}: {}", timeout, waiting.stream().sorted().toList());
                return waiting.stream().sorted().toList();
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return waiting.stream().sorted().toList();
            }
        }
    }

    /** Ours when it carries our part-of label or our field manager wrote it. */
    static boolean isOurs(JsonNode crd) {
        if ("portcullis".equals(JsonFields.labels(crd).get(PART_OF))) {
            return true;
        }
        for (JsonNode entry : crd.path("metadata").path("managedFields")) {
            if (ServerSideApply.FIELD_MANAGER.equals(JsonFields.text(entry.get("manager")))) {
                return true;
            }
        }
        return false;
    }

    /** Warns about each version ours serves that the installed CRD does not. */
    private static void check(JsonNode existing, JsonNode wanted) {
        Set<String> served = servedVersions(existing);
        List<String> missing = servedVersions(wanted).stream().filter(v -> !served.contains(v)).sorted().toList();
        if (missing.isEmpty()) {
            log.info("CRD {} is installed by someone else; it serves every version Portcullis reads", JsonFields.name(existing));
        } else {
            log.warn("CRD {} is installed by someone else and does not serve {}; objects of those versions are not seen",
                    JsonFields.name(existing), missing);
        }
    }

    static Set<String> servedVersions(JsonNode crd) {
        Set<String> served = new HashSet<>();
        for (JsonNode version : crd.path("spec").path("versions")) {
            if (version.path("served").asBoolean(false)) {
                served.add(JsonFields.text(version.get("name")));
            }
        }
        return served;
    }
}
