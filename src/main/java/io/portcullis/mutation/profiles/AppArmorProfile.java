package io.portcullis.mutation.profiles;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** {@code AppArmorProfile} ({@code v1}; {@code v1alpha1} manifests are read too). */
public record AppArmorProfile(String apiVersion, String kind, ObjectMeta metadata, Spec spec, ProfileStatus status)
        implements SecurityProfile {

    public AppArmorProfile {
        status = status == null ? ProfileStatus.EMPTY : status;
    }

    public record Spec(@JsonProperty("abstract") Abstract policy, String mode, String state) {
    }

    /** The rules SPO renders into an AppArmor profile. */
    public record Abstract(Executable executable, Filesystem filesystem, Network network, Capability capability) {
    }

    public record Executable(List<String> allowedExecutables, List<String> allowedLibraries) {
    }

    public record Filesystem(List<String> readOnlyPaths, List<String> writeOnlyPaths, List<String> readWritePaths) {
    }

    public record Network(Boolean allowRaw, Protocols allowedProtocols) {
    }

    public record Protocols(Boolean allowTcp, Boolean allowUdp) {
    }

    public record Capability(List<String> allowedCapabilities) {
    }

    /** The name the kernel knows the profile by, for {@code appArmorProfile.localhostProfile}: its object name. */
    public String profileName() {
        return name();
    }
}
