package io.scanstream.inference.domain;

import io.scanstream.core.contract.RejectionReason;

import java.time.Clock;
import java.time.OffsetDateTime;

/** Maps results to outcomes, stamped with the clock's time. */
public final class ScanOutcomes {

    private final Clock clock;

    public ScanOutcomes(Clock clock) {
        this.clock = clock;
    }

    public ScanOutcome of(InferenceResult result) {
        return ScanOutcome.of(result, OffsetDateTime.now(clock));
    }

    public ScanOutcome unreadable(String scanId, RejectionReason reason, String detail) {
        return ScanOutcome.unreadable(scanId, reason, detail);
    }
}
