package io.portcullis.admission;

/**
 * Who a review is, as far as its answer needs: the version to answer in and the request's uid. Enough to reject a
 * review that is refused before it is read (see {@link AdmissionReviewReader#identify}).
 */
public record ReviewIdentity(ReviewVersion version, String uid) {
}
