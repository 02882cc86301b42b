package io.portcullis.mutation.profiles;

/** SPO's SELinux type for a profile: {@code status.usage}, else {@code <name>.process} as the manager sets it. */
final class SelinuxUsage {
    private SelinuxUsage() {
    }

    static String of(SecurityProfile profile) {
        String usage = profile.status().usage();
        return usage != null && !usage.isEmpty() ? usage : profile.name() + ".process";
    }
}
