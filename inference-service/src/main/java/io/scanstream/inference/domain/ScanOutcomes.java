package io.scanstream.inference.domain;

import io.scanstream.core.contract.RejectionReason;
import io.scanstream.core.contract.ScanPreprocessed;
import io.scanstream.core.contract.ScanRejected;
import io.scanstream.core.imaging.ScanPreprocessor;

import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.Optional;

/** Maps results to outcomes, stamped with the clock's time. */
public final class ScanOutcomes {

    private final Clock clock;

    public ScanOutcomes(Clock clock) {
        this.clock = clock;
    }

    public ScanOutcome of(InferenceResult result) {
        return ScanOutcome.of(result, OffsetDateTime.now(clock));
    }

    /**
     * A scan read from {@code scans.preprocessed} that is not a model input (not 224x224 grey): rejected
     * ({@code CORRUPT_IMAGE}, stage inference) before it reaches the batcher; empty when it may be inferred.
     */
    public Optional<ScanOutcome> refusedInput(ScanPreprocessed scan) {
        return ScanPreprocessor.modelInputProblem(scan.image()).map(problem -> new ScanOutcome.Rejected(
                new ScanRejected(scan.scanId(), scan.device() == null ? null : scan.device().toString(),
                        RejectionReason.CORRUPT_IMAGE, "not a valid preprocessed scan: " + problem, ScanOutcome.STAGE)));
    }

    public ScanOutcome unreadable(String scanId, RejectionReason reason, String detail) {
        return ScanOutcome.unreadable(scanId, reason, detail);
    }
}
