package io.portcullis.mutation.profiles;

/**
 * {@code RawSelinuxProfile}: a policy in raw CIL. It has a usage like SelinuxProfile, but ProfileBindings cannot
 * refer to it (SPO's profileRef enum excludes it); pods reference its usage by hand.
 */
public record RawSelinuxProfile(String apiVersion, String kind, ObjectMeta metadata, Spec spec, ProfileStatus status)
        implements SecurityProfile {

    public RawSelinuxProfile {
        status = status == null ? ProfileStatus.EMPTY : status;
    }

    public record Spec(String policy, String state) {
    }

    public String usage() {
        return SelinuxUsage.of(this);
    }
}
