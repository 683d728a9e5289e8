package io.scanstream.core.contract;

/**
 * A record that does not satisfy the contract: a missing attribute, a wrong type, a payload that does not
 * parse. Carries the reason a rejection would report.
 */
public class InvalidEventException extends RuntimeException {

    private final RejectionReason reason;

    public InvalidEventException(RejectionReason reason, String detail) {
        super(detail);
        this.reason = reason;
    }

    public InvalidEventException(RejectionReason reason, String detail, Throwable cause) {
        super(detail, cause);
        this.reason = reason;
    }

    public RejectionReason reason() {
        return reason;
    }
}
