package io.portcullis.mutation.profiles;

/**
 * A cluster-scoped SPO profile. Profiles are looked up by kind and name only: since SPO v0.9 they have no
 * namespace, and a {@code metadata.namespace} on an old manifest is ignored.
 */
public sealed interface SecurityProfile permits SeccompProfile, SelinuxProfile, RawSelinuxProfile, AppArmorProfile {
    String kind();

    ObjectMeta metadata();

    ProfileStatus status();

    default String name() {
        return metadata().name();
    }

    /** Whether a node has reported the profile: SPO does not bind a profile whose {@code status.status} is empty. */
    default boolean hasStatus() {
        return status().status() != null && !status().status().isEmpty();
    }
}
