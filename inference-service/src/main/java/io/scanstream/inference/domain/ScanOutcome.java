package io.scanstream.inference.domain;

import io.scanstream.core.contract.RejectionReason;
import io.scanstream.core.contract.ScanEmbedding;
import io.scanstream.core.contract.ScanPrediction;
import io.scanstream.core.contract.ScanPreprocessed;
import io.scanstream.core.contract.ScanRejected;

import java.time.Duration;
import java.time.OffsetDateTime;

/**
 * The events one scan ends in, as inference publishes them: a prediction with its embedding, or a rejection. The
 * one mapping from an {@link InferenceResult} to the contract's events ({@link #of}); the loop only sends them.
 */
public sealed interface ScanOutcome permits ScanOutcome.Predicted, ScanOutcome.Rejected {

    String STAGE = "inference";

    /** A prediction and the embedding it was made from; {@code latency} from acquisition to now. */
    record Predicted(ScanPrediction prediction, ScanEmbedding embedding, Duration latency) implements ScanOutcome {
    }

    record Rejected(ScanRejected rejection) implements ScanOutcome {
    }

    /**
     * @param now the prediction's time; predictions and embeddings carry the backbone that computed them. A result
     *            the contract does not admit (a probability or threshold out of range) ends as an INTERNAL
     *            rejection too: one scan's outcome, never an exception in the loop's open transaction.
     */
    static ScanOutcome of(InferenceResult result, OffsetDateTime now) {
        ScanPreprocessed scan = result.scan();
        if (result instanceof InferenceResult.Failed failed) {
            return failed(scan, failed.reason());
        }
        try {
            return predicted(result, scan, now);
        } catch (RuntimeException e) {
            return failed(scan, "not a valid prediction: " + e.getMessage());
        }
    }

    private static Rejected failed(ScanPreprocessed scan, String reason) {
        return new Rejected(new ScanRejected(scan.scanId(), scan.device().toString(), RejectionReason.INTERNAL,
                "inference failed: " + reason, STAGE));
    }

    private static ScanOutcome predicted(InferenceResult result, ScanPreprocessed scan, OffsetDateTime now) {
        float[] embedding;
        String backboneId;
        ScanPrediction prediction;
        if (result instanceof InferenceResult.Scored scored) {
            embedding = scored.embedding();
            backboneId = scored.backboneId();
            prediction = new ScanPrediction(scan.scanId(), scored.label(), scored.probability(), scored.threshold(),
                    scored.modelVersion(), backboneId, scan.acquiredAt(), now);
        } else {
            InferenceResult.Embedded embedded = (InferenceResult.Embedded) result;
            embedding = embedded.embedding();
            backboneId = embedded.backboneId();
            prediction = ScanPrediction.undetermined(scan.scanId(), backboneId, scan.acquiredAt(), now);
        }
        return new Predicted(prediction, new ScanEmbedding(scan.scanId(), scan.device(), scan.acquiredAt(),
                scan.patientPseudonym(), backboneId, embedding, scan.origin()),
                Duration.between(scan.acquiredAt(), now));
    }

    /** A record of the input topic that is not a valid preprocessed scan. */
    static ScanOutcome unreadable(String scanId, RejectionReason reason, String detail) {
        return new Rejected(new ScanRejected(scanId, null, reason, "not a valid preprocessed scan: " + detail, STAGE));
    }
}
