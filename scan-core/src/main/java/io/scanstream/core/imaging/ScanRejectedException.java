package io.scanstream.core.imaging;

import io.scanstream.core.contract.Rejection;

/**
 * Internal to this package: unwinds the decoder to its single exit point, where it becomes a
 * {@link Rejection} value. Never escapes {@link ScanDecoder}.
 */
final class ScanRejectedException extends RuntimeException {

    private final Rejection rejection;

    ScanRejectedException(Rejection rejection) {
        super(rejection.detail(), null, false, false);
        this.rejection = rejection;
    }

    Rejection rejection() {
        return rejection;
    }
}
