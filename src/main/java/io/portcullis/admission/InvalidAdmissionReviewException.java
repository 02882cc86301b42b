package io.portcullis.admission;

/**
 * The body is not an AdmissionReview we can answer: not JSON, not an AdmissionReview, no request or uid, or
 * over a limit. The message is meant for the caller and names the problem; {@link #tooLarge()} tells the
 * transport to answer 413 instead of 400.
 *
 * <p>A review over a limit may still have said who it is before the limit was reached ({@link #identified()}:
 * its apiVersion and {@code request.uid}); the transport then answers it with a well-formed rejection instead.
 */
public final class InvalidAdmissionReviewException extends RuntimeException {

    private final boolean tooLarge;
    private final boolean overLimit;
    private final ReviewVersion version;
    private final String uid;

    private InvalidAdmissionReviewException(String message, boolean tooLarge, boolean overLimit, ReviewVersion version,
            String uid) {
        super(message, null, false, false);
        this.tooLarge = tooLarge;
        this.overLimit = overLimit;
        this.version = version;
        this.uid = uid;
    }

    static InvalidAdmissionReviewException invalid(String message) {
        return new InvalidAdmissionReviewException(message, false, false, null, null);
    }

    static InvalidAdmissionReviewException tooLarge(String message) {
        return new InvalidAdmissionReviewException(message, true, true, null, null);
    }

    /** Well-formed as far as it was read, but over a parser limit (nesting depth, string length). */
    static InvalidAdmissionReviewException overLimit(String message) {
        return new InvalidAdmissionReviewException(message, false, true, null, null);
    }

    /** The same problem, for the review of this version and uid. */
    InvalidAdmissionReviewException identifiedAs(ReviewVersion reviewVersion, String requestUid) {
        return new InvalidAdmissionReviewException(getMessage(), tooLarge, overLimit, reviewVersion, requestUid);
    }

    public boolean tooLarge() {
        return tooLarge;
    }

    /** Over a size, depth or length limit, as opposed to malformed or not an AdmissionReview. */
    public boolean overLimit() {
        return overLimit;
    }

    /** Whether the review's apiVersion and uid are known, so that it can be answered. */
    public boolean identified() {
        return version != null && uid != null && !uid.isEmpty();
    }

    /** The review's version when {@link #identified()}, else null. */
    public ReviewVersion version() {
        return version;
    }

    /** The review's {@code request.uid} when {@link #identified()}, else null. */
    public String uid() {
        return uid;
    }
}
