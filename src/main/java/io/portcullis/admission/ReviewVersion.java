package io.portcullis.admission;

/** The AdmissionReview versions the API server may send; the response must use the request's version. */
public enum ReviewVersion {
    V1("admission.k8s.io/v1"),
    V1BETA1("admission.k8s.io/v1beta1");

    public static final String KIND = "AdmissionReview";

    private final String apiVersion;

    ReviewVersion(String apiVersion) {
        this.apiVersion = apiVersion;
    }

    public String apiVersion() {
        return apiVersion;
    }

    /** The version for an apiVersion string, or null when it is not an AdmissionReview version we serve. */
    public static ReviewVersion of(String apiVersion) {
        for (ReviewVersion v : values()) {
            if (v.apiVersion.equals(apiVersion)) {
                return v;
            }
        }
        return null;
    }
}
