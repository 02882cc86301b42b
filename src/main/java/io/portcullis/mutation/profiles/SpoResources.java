package io.portcullis.mutation.profiles;

import io.portcullis.json.JsonFields;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads SPO objects ({@code security-profiles-operator.x-k8s.io}) into the profile and binding records. The
 * versions SPO v1.0 serves are accepted: {@code v1}, and the older ones it still converts (SeccompProfile
 * {@code v1beta1}, SelinuxProfile and RawSelinuxProfile {@code v1alpha2}, AppArmorProfile and ProfileBinding
 * {@code v1alpha1}). Their fields are translated as SPO's conversion does: {@code disabled: true} becomes
 * {@code state: Disabled}, SELinux {@code permissive: true} becomes {@code mode: Permissive}, AppArmor
 * {@code complainMode: true} becomes {@code mode: Complain}.
 */
public final class SpoResources {
    public static final String GROUP = "security-profiles-operator.x-k8s.io";

    private static final Map<String, Set<String>> VERSIONS = Map.of(
            "SeccompProfile", Set.of("v1", "v1beta1"),
            "SelinuxProfile", Set.of("v1", "v1alpha2"),
            "RawSelinuxProfile", Set.of("v1", "v1alpha2"),
            "AppArmorProfile", Set.of("v1", "v1alpha1"),
            "ProfileBinding", Set.of("v1", "v1alpha1"));

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private SpoResources() {
    }

    /** Whether the object is one of the SPO kinds read here, at a served version. */
    public static boolean isSpoResource(JsonNode object) {
        String apiVersion = JsonFields.textOrNull(object, "apiVersion");
        String kind = JsonFields.textOrNull(object, "kind");
        return apiVersion != null && apiVersion.startsWith(GROUP + "/") && VERSIONS.containsKey(kind)
                && VERSIONS.get(kind).contains(apiVersion.substring(GROUP.length() + 1));
    }

    public static boolean isBinding(JsonNode object) {
        return isSpoResource(object) && "ProfileBinding".equals(JsonFields.textOrNull(object, "kind"));
    }

    /** A profile object (any of the four profile kinds). */
    public static SecurityProfile parseProfile(JsonNode object) {
        requireSpo(object);
        String kind = JsonFields.textOrNull(object, "kind");
        ObjectNode normalized = normalize(object);
        SecurityProfile profile = switch (kind) {
            case "SeccompProfile" -> bind(normalized, SeccompProfile.class);
            case "SelinuxProfile" -> bind(normalized, SelinuxProfile.class);
            case "RawSelinuxProfile" -> bind(normalized, RawSelinuxProfile.class);
            case "AppArmorProfile" -> bind(normalized, AppArmorProfile.class);
            default -> throw new InvalidResourceException(kind + " is not a profile kind");
        };
        if (profile instanceof SeccompProfile seccomp && seccomp.spec().defaultAction() == null) {
            throw new InvalidResourceException("SeccompProfile " + profile.name() + ": spec.defaultAction is required");
        }
        return profile;
    }

    /** A ProfileBinding; it must have a namespace, a profileRef with kind and name, and a non-empty image. */
    public static ProfileBinding parseBinding(JsonNode object) {
        requireSpo(object);
        if (!isBinding(object)) {
            throw new InvalidResourceException("not a ProfileBinding: " + JsonFields.textOrNull(object, "kind"));
        }
        ProfileBinding binding = bind(normalize(object), ProfileBinding.class);
        String what = "ProfileBinding " + binding.name();
        if (binding.spec() == null || binding.spec().profileRef() == null
                || isEmpty(binding.spec().profileRef().kind()) || isEmpty(binding.spec().profileRef().name())) {
            throw new InvalidResourceException(what + ": spec.profileRef.kind and spec.profileRef.name are required");
        }
        if (isEmpty(binding.spec().image())) {
            throw new InvalidResourceException(what + ": spec.image is required");
        }
        if (isEmpty(binding.namespace())) {
            throw new InvalidResourceException(what + ": ProfileBinding is namespaced, metadata.namespace is required");
        }
        return binding;
    }

    private static void requireSpo(JsonNode object) {
        if (!isSpoResource(object)) {
            throw new InvalidResourceException("not a served SPO resource: apiVersion " + JsonFields.textOrNull(object, "apiVersion")
                    + ", kind " + JsonFields.textOrNull(object, "kind"));
        }
        String name = JsonFields.textOrNull(object.path("metadata"), "name");
        if (isEmpty(name)) {
            throw new InvalidResourceException(JsonFields.textOrNull(object, "kind") + " without metadata.name");
        }
    }

    /** A copy in v1 form: old boolean fields mapped onto state and mode, the defaults SPO's schema sets filled in. */
    private static ObjectNode normalize(JsonNode object) {
        ObjectNode copy = (ObjectNode) object.deepCopy();
        if (!(copy.get("spec") instanceof ObjectNode)) {
            copy.putObject("spec");
        }
        ObjectNode spec = (ObjectNode) copy.get("spec");
        String kind = JsonFields.textOrNull(copy, "kind");
        if (!kind.equals("ProfileBinding")) {
            JsonNode disabled = spec.remove("disabled");
            if (!spec.has("state")) {
                spec.put("state", disabled != null && disabled.asBoolean(false) ? "Disabled" : "Enabled");
            }
        }
        switch (kind) {
            case "SelinuxProfile" -> {
                JsonNode permissive = spec.remove("permissive");
                if (!spec.has("mode")) {
                    spec.put("mode", permissive != null && permissive.asBoolean(false) ? "Permissive" : "Enforcing");
                }
            }
            case "AppArmorProfile" -> {
                JsonNode complain = spec.remove("complainMode");
                if (!spec.has("mode")) {
                    spec.put("mode", complain != null && complain.asBoolean(false) ? "Complain" : "Enforce");
                }
            }
            default -> {
            }
        }
        return copy;
    }

    private static <T> T bind(JsonNode node, Class<T> type) {
        try {
            T value = MAPPER.treeToValue(node, type);
            return value;
        } catch (JacksonException e) {
            throw new InvalidResourceException(JsonFields.textOrNull(node, "kind") + " "
                    + JsonFields.textOrNull(node.path("metadata"), "name") + ": " + e.getOriginalMessage(), e);
        }
    }

    private static boolean isEmpty(String s) {
        return s == null || s.isEmpty();
    }

    /** The object is not a valid SPO resource. */
    public static final class InvalidResourceException extends IllegalArgumentException {
        public InvalidResourceException(String message) {
            super(message);
        }

        public InvalidResourceException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
