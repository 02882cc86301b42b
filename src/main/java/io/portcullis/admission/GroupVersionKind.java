package io.portcullis.admission;

/** A Kubernetes group/version/kind as an AdmissionRequest carries it; absent parts are empty strings, never null. */
public record GroupVersionKind(String group, String version, String kind) {

    public static final GroupVersionKind NONE = new GroupVersionKind("", "", "");

    /** {@code group/version}, or just {@code version} for the core group, as in an object's apiVersion. */
    public String apiVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    @Override
    public String toString() {
        return apiVersion() + ", Kind=" + kind;
    }
}
