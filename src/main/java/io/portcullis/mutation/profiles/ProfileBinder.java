package io.portcullis.mutation.profiles;

import io.portcullis.match.LabelSelector;
import io.portcullis.json.JsonFields;
import io.portcullis.mutation.error.MutationException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * SPO's profile binding ({@code binding.spo.io}) on a pod being created, following SPO main's binding webhook
 * without the bugs SPO v1.0 still had.
 *
 * <p>Rules, for a pod CREATEd in a namespace labelled {@value #ENABLE_BINDING_LABEL}:
 * <ul>
 *   <li>Bindings of the pod's namespace apply, in name order; a {@code podSelector} that does not match the pod's
 *       labels skips the binding, an invalid one too (it must not block pods).</li>
 *   <li>A binding whose profile does not exist is skipped; one whose profile has no status yet rejects the pods
 *       it would bind (the profile is not installed on nodes, the pod would fail to start), unless configured
 *       otherwise. Pods it would not bind are not held up by it.</li>
 *   <li>Every init and regular container whose image equals the binding's image, exactly, gets the profile at
 *       container level, replacing a different value (a workload cannot opt out with {@code Unconfined}).</li>
 *   <li>An {@code image: "*"} binding sets the pod-level value of its kind (one per kind, the last by name wins),
 *       replacing a different value, and also replaces the value of that kind on containers that set their own
 *       and are not bound by an image binding of that kind, since a container value would win at runtime.</li>
 *   <li>Seccomp: {@code {type: Localhost, localhostProfile: <status.localhostProfile>}}; SELinux: only
 *       {@code seLinuxOptions.type = <status.usage>}, keeping user, role and level; AppArmor:
 *       {@code {type: Localhost, localhostProfile: <metadata.name>}}.</li>
 * </ul>
 * Fixed relative to SPO v1.0 (design note §2.11): changes are never lost when a later binding changes nothing,
 * {@code "*"} bindings of different kinds combine and apply even when image bindings changed containers, the
 * pod-level value cannot be bypassed, and SELinux level/user/role survive. Ephemeral containers are not bound.
 */
public final class ProfileBinder {
    public static final String ENABLE_BINDING_LABEL = "spo.x-k8s.io/enable-binding";

    static final String SECCOMP = "SeccompProfile";
    static final String SELINUX = "SelinuxProfile";
    static final String APPARMOR = "AppArmorProfile";
    private static final List<String> BINDABLE_KINDS = List.of(SECCOMP, SELINUX, APPARMOR);

    /** What to do with a binding whose profile exists but has no status yet. */
    public enum UnreadyProfiles {
        /** Reject the pod, as SPO does once its retries run out. */
        REJECT,
        /** Skip the binding, as SPO does for profile kinds the SPOD disables. */
        SKIP,
        /** Bind with the reference SPO will compute (for offline previews; the node may not have it yet). */
        BIND
    }

    /** One profile written on the pod: by which binding, and where ({@code pod} or the container's name). */
    public record Bound(String binding, String profileKind, String profileName, String target) {
    }

    private final UnreadyProfiles unreadyProfiles;

    public ProfileBinder() {
        this(UnreadyProfiles.REJECT);
    }

    public ProfileBinder(UnreadyProfiles unreadyProfiles) {
        this.unreadyProfiles = unreadyProfiles;
    }

    /** Whether SPO's webhook would be called for pods in a namespace with these labels. */
    public static boolean namespaceOptedIn(Map<String, String> namespaceLabels) {
        return namespaceLabels.containsKey(ENABLE_BINDING_LABEL);
    }

    /**
     * Binds profiles to {@code pod} in place.
     *
     * @param pod             the pod being admitted (any other object is left alone)
     * @param operation       the admission operation; only CREATE binds
     * @param namespace       the request's namespace
     * @param namespaceLabels the labels of that namespace
     * @return what was written; empty when nothing changed
     * @throws MutationException a bound profile has no status yet and unready profiles reject
     */
    public List<Bound> bind(ObjectNode pod, String operation, String namespace, Map<String, String> namespaceLabels,
                            Collection<ProfileBinding> bindings, ProfileCatalog profiles) throws MutationException {
        if (!"CREATE".equals(operation) || !isPod(pod) || !namespaceOptedIn(namespaceLabels)
                || !(pod.get("spec") instanceof ObjectNode spec)) {
            return List.of();
        }
        List<ObjectNode> containers = new ArrayList<>();
        containers.addAll(objects(spec.get("initContainers")));
        containers.addAll(objects(spec.get("containers")));
        Map<String, String> podLabels = JsonFields.stringMap(pod.path("metadata"), "labels");

        List<Bound> bound = new ArrayList<>();
        Map<String, Resolved> wildcards = new LinkedHashMap<>();
        Map<String, Set<ObjectNode>> boundByKind = new LinkedHashMap<>();
        for (ProfileBinding binding : inNameOrder(bindings, namespace)) {
            if (!selects(binding, podLabels) || !concerns(binding, containers)) {
                continue;
            }
            Optional<Resolved> resolved = resolve(binding, profiles);
            if (resolved.isEmpty()) {
                continue;
            }
            Resolved r = resolved.get();
            if (ProfileBinding.ALL_IMAGES.equals(binding.spec().image())) {
                wildcards.put(r.kind(), r);
                continue;
            }
            Set<ObjectNode> boundOfKind =
                    boundByKind.computeIfAbsent(r.kind(), k -> Collections.newSetFromMap(new IdentityHashMap<>()));
            for (ObjectNode container : containers) {
                if (binding.spec().image().equals(JsonFields.textOrNull(container, "image"))) {
                    boundOfKind.add(container);
                    if (apply(container, r)) {
                        bound.add(new Bound(binding.name(), r.kind(), r.profileName(), containerName(container)));
                    }
                }
            }
        }
        for (String kind : BINDABLE_KINDS) {
            Resolved r = wildcards.get(kind);
            if (r == null) {
                continue;
            }
            if (apply(spec, r)) {
                bound.add(new Bound(r.binding(), kind, r.profileName(), "pod"));
            }
            Set<ObjectNode> boundOfKind = boundByKind.getOrDefault(kind, Set.of());
            for (ObjectNode container : containers) {
                if (!boundOfKind.contains(container) && hasOwnValue(container, kind) && apply(container, r)) {
                    bound.add(new Bound(r.binding(), kind, r.profileName(), containerName(container)));
                }
            }
        }
        return bound;
    }

    /**
     * Whether the binding could change this pod. SPO looks the profile up first, so a binding whose profile has no
     * status yet rejects every pod in the namespace, even pods it would not touch; here only pods it binds wait.
     */
    private static boolean concerns(ProfileBinding binding, List<ObjectNode> containers) {
        String image = binding.spec().image();
        return ProfileBinding.ALL_IMAGES.equals(image)
                || containers.stream().anyMatch(c -> image.equals(JsonFields.textOrNull(c, "image")));
    }

    /** A binding with its profile resolved to the values to write. */
    private record Resolved(String binding, String kind, String profileName, String reference) {
    }

    private Optional<Resolved> resolve(ProfileBinding binding, ProfileCatalog profiles) throws MutationException {
        String kind = binding.spec().profileRef().kind();
        String name = binding.spec().profileRef().name();
        if (!BINDABLE_KINDS.contains(kind)) {
            return Optional.empty();
        }
        Optional<SecurityProfile> found = profiles.find(kind, name);
        if (found.isEmpty()) {
            // Rejecting would let one dangling binding block every pod in the namespace.
            return Optional.empty();
        }
        SecurityProfile profile = found.get();
        if (!profile.hasStatus()) {
            switch (unreadyProfiles) {
                case REJECT -> throw new MutationException("ProfileBinding " + binding.namespace() + "/" + binding.name()
                        + ": " + kind + " " + name + " hasn't been initialized with status yet (not installed on any node)");
                case SKIP -> {
                    return Optional.empty();
                }
                case BIND -> {
                }
            }
        }
        String reference = switch (profile) {
            case SeccompProfile p -> p.localhostProfile();
            case SelinuxProfile p -> p.usage();
            case AppArmorProfile p -> p.profileName();
            case RawSelinuxProfile p -> throw new IllegalStateException("RawSelinuxProfile is not bindable");
        };
        return Optional.of(new Resolved(binding.name(), kind, name, reference));
    }

    /** Writes the profile into a pod spec's or a container's securityContext; returns whether it changed. */
    private static boolean apply(ObjectNode owner, Resolved r) {
        ObjectNode securityContext = owner.get("securityContext") instanceof ObjectNode sc ? sc : null;
        String field = field(r.kind());
        JsonNode current = securityContext == null ? null : securityContext.get(field);
        if (r.kind().equals(SELINUX)) {
            if (current instanceof ObjectNode options) {
                if (r.reference().equals(JsonFields.textOrNull(options, "type"))) {
                    return false;
                }
                options.put("type", r.reference());
                return true;
            }
        } else if (current instanceof ObjectNode profile
                && "Localhost".equals(JsonFields.textOrNull(profile, "type"))
                && r.reference().equals(JsonFields.textOrNull(profile, "localhostProfile"))) {
            return false;
        }
        ObjectNode value = owner.objectNode();
        if (r.kind().equals(SELINUX)) {
            value.put("type", r.reference());
        } else {
            value.put("type", "Localhost").put("localhostProfile", r.reference());
        }
        if (securityContext == null) {
            securityContext = owner.putObject("securityContext");
        }
        securityContext.set(field, value);
        return true;
    }

    private static boolean hasOwnValue(ObjectNode container, String kind) {
        JsonNode value = container.path("securityContext").get(field(kind));
        return value != null && !value.isNull();
    }

    private static String field(String kind) {
        return switch (kind) {
            case SECCOMP -> "seccompProfile";
            case SELINUX -> "seLinuxOptions";
            case APPARMOR -> "appArmorProfile";
            default -> throw new IllegalArgumentException(kind);
        };
    }

    private static boolean selects(ProfileBinding binding, Map<String, String> podLabels) {
        try {
            LabelSelector selector = binding.podSelector();
            return selector == null || selector.matches(podLabels);
        } catch (LabelSelector.InvalidSelectorException e) {
            return false;
        }
    }

    private static List<ProfileBinding> inNameOrder(Collection<ProfileBinding> bindings, String namespace) {
        return bindings.stream()
                .filter(b -> namespace != null && namespace.equals(b.namespace()))
                .sorted(Comparator.comparing(ProfileBinding::name))
                .toList();
    }

    private static boolean isPod(JsonNode object) {
        return "v1".equals(JsonFields.textOrNull(object, "apiVersion")) && "Pod".equals(JsonFields.textOrNull(object, "kind"));
    }

    private static List<ObjectNode> objects(JsonNode array) {
        List<ObjectNode> out = new ArrayList<>();
        if (array != null && array.isArray()) {
            for (JsonNode item : array.values()) {
                if (item instanceof ObjectNode o) {
                    out.add(o);
                }
            }
        }
        return out;
    }

    private static String containerName(ObjectNode container) {
        String name = JsonFields.textOrNull(container, "name");
        return name == null ? "" : name;
    }
}
