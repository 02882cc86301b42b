package io.portcullis.constraint;

/** An object that cannot be reviewed or put into the inventory (no kind, no object to review, ...). */
public class InvalidObjectException extends Exception {
    public InvalidObjectException(String message) {
        super(message);
    }
}
