package io.portcullis.admission;

import java.util.Objects;

/** A parsed AdmissionReview: its version (echoed in the answer) and its request. */
public record AdmissionReview(ReviewVersion version, AdmissionRequest request) {
    public AdmissionReview {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(request, "request");
    }
}
