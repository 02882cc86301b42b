package io.portcullis.webhook;

/** The admission webhooks the server answers, with the names they carry in paths, logs and metrics. */
public enum Webhook {
    VALIDATION("validation", "/v1/admit"),
    MUTATION("mutation", "/v1/mutate"),
    /** Gatekeeper's check-ignore-label webhook; Gatekeeper keeps no request metrics for it. */
    NAMESPACE_LABEL("namespacelabel", "/v1/admitlabel");

    private final String label;
    private final String path;

    Webhook(String label, String path) {
        this.label = label;
        this.path = path;
    }

    /** {@code validation} or {@code mutation}, as in Gatekeeper's metric names; {@code namespacelabel}. */
    public String label() {
        return label;
    }

    public String path() {
        return path;
    }
}
