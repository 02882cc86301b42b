package io.portcullis.mutation.profiles;

import java.util.List;
import java.util.Map;

/** {@code SelinuxProfile} ({@code v1}; {@code v1alpha2} manifests are read too). */
public record SelinuxProfile(String apiVersion, String kind, ObjectMeta metadata, Spec spec, ProfileStatus status)
        implements SecurityProfile {

    public SelinuxProfile {
        status = status == null ? ProfileStatus.EMPTY : status;
    }

    /**
     * @param allow label (an SELinux type, or {@code @self}) to object class to permissions
     */
    public record Spec(List<PolicyRef> inherit, Map<String, Map<String, List<String>>> allow, String mode, String state) {
        public Spec {
            inherit = inherit == null || inherit.isEmpty() ? List.of(new PolicyRef("System", "container")) : List.copyOf(inherit);
            allow = allow == null ? Map.of() : Map.copyOf(allow);
        }
    }

    /** A parent policy: {@code kind} is {@code System} (default) or {@code SelinuxProfile}. */
    public record PolicyRef(String kind, String name) {
        public PolicyRef {
            kind = kind == null || kind.isEmpty() ? "System" : kind;
        }
    }

    /** The SELinux type for {@code seLinuxOptions.type}: the status, or while it is empty {@code <name>.process}. */
    public String usage() {
        return SelinuxUsage.of(this);
    }
}
