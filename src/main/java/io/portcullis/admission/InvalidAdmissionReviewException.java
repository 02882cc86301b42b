package io.portcullis.admission;

/**
 * The body is not an AdmissionReview we can answer: not JSON, not an AdmissionReview, no request or uid, or
 * over a limit. The message is meant for the caller and names the problem; {@link #tooLarge()} tells the
 * transport to answer 413 instead of 400.
 */
public final class InvalidAdmissionReviewException extends RuntimeException {

    private final boolean tooLarge;

    private InvalidAdmissionReviewException(String message, boolean tooLarge) {
        super(message, null, false, false);
        this.tooLarge = tooLarge;
    }

    static InvalidAdmissionReviewException invalid(String message) {
        return new InvalidAdmissionReviewException(message, false);
    }

    static InvalidAdmissionReviewException tooLarge(String message) {
        return new InvalidAdmissionReviewException(message, true);
    }

    public boolean tooLarge() {
        return tooLarge;
    }
}
