package io.portcullis.mutation.profiles;

import java.util.List;

/** {@code SeccompProfile} ({@code v1}; {@code v1beta1} manifests are read too). */
public record SeccompProfile(String apiVersion, String kind, ObjectMeta metadata, Spec spec, ProfileStatus status)
        implements SecurityProfile {

    public SeccompProfile {
        status = status == null ? ProfileStatus.EMPTY : status;
    }

    public record Spec(String defaultAction, List<String> architectures, List<Syscall> syscalls, List<String> flags,
                       String baseProfileName, String listenerPath, String listenerMetadata, String state) {
        public Spec {
            architectures = architectures == null ? List.of() : List.copyOf(architectures);
            syscalls = syscalls == null ? List.of() : List.copyOf(syscalls);
            flags = flags == null ? List.of() : List.copyOf(flags);
        }
    }

    public record Syscall(List<String> names, String action, Long errnoRet, List<Arg> args) {
        public Syscall {
            names = names == null ? List.of() : List.copyOf(names);
            args = args == null ? List.of() : List.copyOf(args);
        }
    }

    /** Syscall arguments are unsigned 64-bit in the kernel; SPO stores them as int64 with minimum 0. */
    public record Arg(Long index, Long value, Long valueTwo, String op) {
    }

    /**
     * The value for a pod's {@code seccompProfile.localhostProfile}: the status SPO's manager wrote, or, while it
     * is empty, the path the manager computes for a cluster-scoped profile, {@code operator/<name>.json} (no second
     * {@code .json} when the name already ends with it).
     */
    public String localhostProfile() {
        String fromStatus = status.localhostProfile();
        if (fromStatus != null && !fromStatus.isEmpty()) {
            return fromStatus;
        }
        return "operator/" + name() + (name().endsWith(".json") ? "" : ".json");
    }
}
