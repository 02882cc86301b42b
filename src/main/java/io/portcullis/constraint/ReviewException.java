package io.portcullis.constraint;

/** A review that could not be completed (Gatekeeper answers these with an error, HTTP 500 at the webhook). */
public class ReviewException extends Exception {
    public ReviewException(String message) {
        super(message);
    }

    public ReviewException(String message, Throwable cause) {
        super(message, cause);
    }
}
