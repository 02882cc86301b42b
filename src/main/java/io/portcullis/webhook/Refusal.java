package io.portcullis.webhook;

/**
 * Why a review is refused before its handler runs: too little memory left, too many requests in flight, a body too
 * slow to arrive, no policies in force. Answered as {@code allowed: false} with this code when the review's uid is
 * known, else as an HTTP error with a Kubernetes Status.
 *
 * @param code    HTTP status code, also the answer's {@code status.code}
 * @param reason  the Kubernetes Status reason (TooManyRequests, RequestEntityTooLarge, ...)
 * @param message what the caller reads
 */
record Refusal(int code, String reason, String message) {
}
