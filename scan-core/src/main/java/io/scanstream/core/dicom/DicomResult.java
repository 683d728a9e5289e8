package io.scanstream.core.dicom;

import io.scanstream.core.contract.Rejection;

import java.util.function.Supplier;

/** Either what was read or decoded, or the reason it could not be: refusals are values, not exceptions. */
public sealed interface DicomResult<T> permits DicomResult.Ok, DicomResult.Refused {

    record Ok<T>(T value) implements DicomResult<T> {
    }

    record Refused<T>(Rejection rejection) implements DicomResult<T> {
    }

    /** Runs a step of this package, turning its refusal into a value. */
    static <T> DicomResult<T> of(Supplier<T> step) {
        try {
            return new Ok<>(step.get());
        } catch (DicomRefusal refusal) {
            return new Refused<>(refusal.rejection());
        }
    }
}
