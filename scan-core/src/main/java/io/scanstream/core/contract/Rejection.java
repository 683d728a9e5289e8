package io.scanstream.core.contract;

import java.util.Objects;

/** Why a scan was not accepted, as a value: rejections travel as data, not as exceptions. */
public record Rejection(RejectionReason reason, String detail) {

    public Rejection {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(detail, "detail");
    }

    public static Rejection of(RejectionReason reason, String detail) {
        return new Rejection(reason, detail);
    }
}
