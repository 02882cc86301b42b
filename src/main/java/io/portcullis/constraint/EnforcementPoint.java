package io.portcullis.constraint;

import java.util.Optional;

/** Where a constraint is enforced; a scoped constraint names the points its actions apply to. */
public enum EnforcementPoint {
    /** The validating admission webhook. */
    WEBHOOK("validation.gatekeeper.sh"),
    AUDIT("audit.gatekeeper.sh"),
    /** The gator CLI ({@code portcullis verify} and {@code portcullis test}). */
    GATOR("gator.gatekeeper.sh"),
    /** A generated ValidatingAdmissionPolicy. */
    VAP("vap.k8s.io");

    /** In {@code enforcementPoints}, names every point. */
    public static final String ALL = "*";

    private final String id;

    EnforcementPoint(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public static Optional<EnforcementPoint> byId(String id) {
        for (EnforcementPoint ep : values()) {
            if (ep.id.equals(id)) {
                return Optional.of(ep);
            }
        }
        return Optional.empty();
    }
}
