package io.portcullis.mutation.profiles;

import java.util.List;

/**
 * The status SPO's manager writes on a profile. {@code status} is the lowest state over all nodes ({@code Pending},
 * {@code InProgress}, {@code Installed}, {@code Partial}, {@code Disabled}, {@code Terminating}, {@code Error});
 * empty means no node has reported yet. {@code localhostProfile} (seccomp) and {@code usage} (SELinux) are what a
 * pod's security context should reference.
 */
public record ProfileStatus(String status, List<Condition> conditions, String path, String localhostProfile,
                            String usage, List<String> activeWorkloads) {
    public static final ProfileStatus EMPTY = new ProfileStatus(null, null, null, null, null, null);

    public ProfileStatus {
        conditions = conditions == null ? List.of() : List.copyOf(conditions);
        activeWorkloads = activeWorkloads == null ? List.of() : List.copyOf(activeWorkloads);
    }

    /** A {@code metav1.Condition}; SPO uses type {@code Ready}. */
    public record Condition(String type, String status, String reason, String message, String lastTransitionTime,
                            Long observedGeneration) {
    }
}
