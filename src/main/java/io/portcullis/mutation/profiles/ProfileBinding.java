package io.portcullis.mutation.profiles;

import io.portcullis.match.LabelSelector;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * {@code ProfileBinding} (namespaced; {@code v1}, and {@code v1alpha1} manifests): containers of pods in its
 * namespace whose image equals {@code spec.image} get the referenced profile; {@code "*"} makes it the pod's default.
 */
public record ProfileBinding(String apiVersion, String kind, ObjectMeta metadata, Spec spec, Status status) {
    public ProfileBinding {
        status = status == null ? new Status(null) : status;
    }

    /** The image value that binds the profile at pod level. */
    public static final String ALL_IMAGES = "*";

    public record Spec(ProfileRef profileRef, String image, JsonNode podSelector) {
    }

    /** The bound profile: {@code kind} is SeccompProfile, SelinuxProfile or AppArmorProfile. */
    public record ProfileRef(String kind, String name) {
    }

    public record Status(List<String> activeWorkloads) {
        public Status {
            activeWorkloads = activeWorkloads == null ? List.of() : List.copyOf(activeWorkloads);
        }
    }

    public String name() {
        return metadata.name();
    }

    public String namespace() {
        return metadata.namespace();
    }

    /**
     * The pod selector, or null when the binding selects every pod.
     *
     * @throws LabelSelector.InvalidSelectorException when the selector is not valid
     */
    public LabelSelector podSelector() {
        return LabelSelector.parse(spec.podSelector(), "spec.podSelector");
    }
}
