package io.portcullis.kube;

import io.portcullis.json.JsonFields;
import io.portcullis.mutation.error.MutationException;
import io.portcullis.mutation.profiles.ProfileBinder;
import io.portcullis.mutation.profiles.ProfileBinding;
import io.portcullis.mutation.profiles.ProfileCatalog;
import io.portcullis.mutation.profiles.SeccompProfile;
import io.portcullis.mutation.profiles.SecurityProfile;
import io.portcullis.mutation.profiles.SelinuxProfile;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Which stored pods use what, as {@code "<namespace>/<pod>"}: the pods a ProfileBinding bound (SPO's
 * {@code status.activeWorkloads} on bindings) and the pods that reference a SeccompProfile or SelinuxProfile (SPO's
 * workload annotator). Pure computation over the informers' stores; stored pods always have their real names, so
 * pods made from {@code generateName} are named correctly (SPO's webhook records them as {@code "<ns>/"}).
 *
 * <p>Pods that have finished (phase Succeeded or Failed) run nothing and are not counted, so a completed Job pod
 * left behind does not keep a profile from being deleted.
 */
final class ActiveWorkloads {
    private static final ProfileBinder BINDER = new ProfileBinder(ProfileBinder.UnreadyProfiles.BIND);
    private static final List<String> PROFILE_FIELDS = List.of("seccompProfile", "seLinuxOptions", "appArmorProfile");
    private static final List<String> CONTAINER_LISTS = List.of("initContainers", "containers", "ephemeralContainers");
    private static final String SECCOMP_POD_ANNOTATION = "seccomp.security.alpha.kubernetes.io/pod";
    private static final String SECCOMP_CONTAINER_ANNOTATION = "container.seccomp.security.alpha.kubernetes.io/";

    private ActiveWorkloads() {
    }

    static String podId(JsonNode pod) {
        return JsonFields.textOrNull(pod.path("metadata"), "namespace") + "/" + JsonFields.textOrNull(pod.path("metadata"), "name");
    }

    static boolean running(JsonNode pod) {
        String phase = JsonFields.textOrNull(pod.path("status"), "phase");
        return !"Succeeded".equals(phase) && !"Failed".equals(phase);
    }

    /**
     * The pods of the binding's namespace that the binding applies to and that carry its profile where the binding
     * puts it. The decision is {@link ProfileBinder}'s, the webhook's own: the binding applies if it would write
     * something into the pod with no profile of any kind set, and the pod carries the profile if at one of those
     * places the binding would change nothing. A namespace without the opt-in label has no bound pods.
     */
    static Set<String> boundPods(ProfileBinding binding, Collection<ObjectNode> podsOfNamespace,
            Map<String, String> namespaceLabels, ProfileCatalog profiles) {
        Set<String> pods = new TreeSet<>();
        if (!ProfileBinder.namespaceOptedIn(namespaceLabels)) {
            return pods;
        }
        for (ObjectNode pod : podsOfNamespace) {
            if (running(pod) && carries(binding, pod, namespaceLabels, profiles)) {
                pods.add(podId(pod));
            }
        }
        return pods;
    }

    private static boolean carries(ProfileBinding binding, ObjectNode pod, Map<String, String> namespaceLabels,
            ProfileCatalog profiles) {
        String namespace = binding.namespace();
        List<ProfileBinder.Bound> wouldWrite = bind(stripped(pod), namespace, namespaceLabels, binding, profiles);
        if (wouldWrite.isEmpty()) {
            return false;
        }
        Set<String> stillDiffer = new HashSet<>();
        for (ProfileBinder.Bound b : bind(pod.deepCopy(), namespace, namespaceLabels, binding, profiles)) {
            stillDiffer.add(b.profileKind() + "/" + b.target());
        }
        return wouldWrite.stream().anyMatch(b -> !stillDiffer.contains(b.profileKind() + "/" + b.target()));
    }

    private static List<ProfileBinder.Bound> bind(ObjectNode pod, String namespace, Map<String, String> namespaceLabels,
            ProfileBinding binding, ProfileCatalog profiles) {
        try {
            return BINDER.bind(pod, "CREATE", namespace, namespaceLabels, List.of(binding), profiles);
        } catch (MutationException e) {
            // Not thrown with UnreadyProfiles.BIND; a binding that cannot bind binds nothing.
            return List.of();
        }
    }

    /** A copy of the pod with no seccomp, SELinux or AppArmor value at pod or container level. */
    private static ObjectNode stripped(ObjectNode pod) {
        ObjectNode copy = pod.deepCopy();
        JsonNode spec = copy.path("spec");
        strip(spec.get("securityContext"));
        for (String list : CONTAINER_LISTS) {
            for (JsonNode container : spec.path(list)) {
                strip(container.get("securityContext"));
            }
        }
        return copy;
    }

    private static void strip(JsonNode securityContext) {
        if (securityContext instanceof ObjectNode sc) {
            PROFILE_FIELDS.forEach(sc::remove);
        }
    }

    /** Whether the pod references the profile: a SeccompProfile by its localhost path, a SelinuxProfile by its type. */
    static boolean references(JsonNode pod, SecurityProfile profile) {
        return switch (profile) {
            case SeccompProfile p -> seccompReferences(pod).contains(p.localhostProfile());
            case SelinuxProfile p -> selinuxTypes(pod).contains(p.usage());
            default -> false;
        };
    }

    /** Localhost seccomp profiles at pod and container level, and in the legacy annotations {@code localhost/...}. */
    static Set<String> seccompReferences(JsonNode pod) {
        Set<String> refs = new HashSet<>();
        for (JsonNode securityContext : securityContexts(pod)) {
            JsonNode profile = securityContext.path("seccompProfile");
            if ("Localhost".equals(JsonFields.textOrNull(profile, "type"))) {
                String path = JsonFields.textOrNull(profile, "localhostProfile");
                if (path != null) {
                    refs.add(path);
                }
            }
        }
        for (Map.Entry<String, String> annotation : JsonFields.stringMap(pod.path("metadata"), "annotations").entrySet()) {
            boolean seccomp = annotation.getKey().equals(SECCOMP_POD_ANNOTATION)
                    || annotation.getKey().startsWith(SECCOMP_CONTAINER_ANNOTATION);
            if (seccomp && annotation.getValue().startsWith("localhost/")) {
                refs.add(annotation.getValue().substring("localhost/".length()));
            }
        }
        return refs;
    }

    /** {@code seLinuxOptions.type} at pod and container level. */
    static Set<String> selinuxTypes(JsonNode pod) {
        Set<String> types = new HashSet<>();
        for (JsonNode securityContext : securityContexts(pod)) {
            String type = JsonFields.textOrNull(securityContext.path("seLinuxOptions"), "type");
            if (type != null) {
                types.add(type);
            }
        }
        return types;
    }

    private static List<JsonNode> securityContexts(JsonNode pod) {
        JsonNode spec = pod.path("spec");
        List<JsonNode> contexts = new java.util.ArrayList<>();
        contexts.add(spec.path("securityContext"));
        for (String list : CONTAINER_LISTS) {
            for (JsonNode container : spec.path(list)) {
                contexts.add(container.path("securityContext"));
            }
        }
        return contexts;
    }
}
