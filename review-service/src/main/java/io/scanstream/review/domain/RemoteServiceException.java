package io.scanstream.review.domain;

/** Another ScanStream service could not be reached or answered with an error the page shows as it is. */
public final class RemoteServiceException extends RuntimeException {

    private final int status;

    /** @param status the HTTP status it answered, or 0 when it could not be reached */
    public RemoteServiceException(String message, int status, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
