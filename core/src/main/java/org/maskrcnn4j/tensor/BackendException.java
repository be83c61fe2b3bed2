package org.maskrcnn4j.tensor;

/** A backend cannot be found, created or used; the message is meant for the user. */
public class BackendException extends RuntimeException {
    public BackendException(String message) {
        super(message);
    }

    public BackendException(String message, Throwable cause) {
        super(message, cause);
    }
}
