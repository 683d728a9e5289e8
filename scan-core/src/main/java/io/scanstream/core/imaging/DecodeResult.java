package io.scanstream.core.imaging;

import io.scanstream.core.contract.Rejection;

/** Either a decoded scan or the reason it could not be decoded. */
public sealed interface DecodeResult permits DecodeResult.Decoded, DecodeResult.Refused {

    record Decoded(DecodedScan scan) implements DecodeResult {
    }

    record Refused(Rejection rejection) implements DecodeResult {
    }
}
