package io.portcullis.admission;

/** A Kubernetes group/version/resource (e.g. {@code apps/v1 deployments}); absent parts are empty strings. */
public record GroupVersionResource(String group, String version, String resource) {

    public static final GroupVersionResource NONE = new GroupVersionResource("", "", "");

    @Override
    public String toString() {
        return (group.isEmpty() ? version : group + "/" + version) + ", Resource=" + resource;
    }
}
