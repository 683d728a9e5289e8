package io.scanstream.inference.domain;

import io.scanstream.core.contract.PredictedLabel;
import io.scanstream.core.contract.ScanPreprocessed;

/**
 * What the network made of one scan: a failure (the forward pass failed even for the scan alone), an embedding
 * with no head to score it yet (before the first version), or an embedding scored by a head version.
 */
public sealed interface InferenceResult permits InferenceResult.Failed, InferenceResult.Embedded,
        InferenceResult.Scored {

    ScanPreprocessed scan();

    /** The forward pass failed; {@code reason} says how (published as an INTERNAL rejection). */
    record Failed(ScanPreprocessed scan, String reason) implements InferenceResult {
    }

    /** Embedded by backbone {@code backboneId}, but no head version is in service yet: UNDETERMINED. */
    record Embedded(ScanPreprocessed scan, float[] embedding, String backboneId) implements InferenceResult {

        public PredictedLabel label() {
            return PredictedLabel.UNDETERMINED;
        }
    }

    /** Embedded and scored: P(COVID) from head version {@code modelVersion} at its operating threshold. */
    record Scored(ScanPreprocessed scan, float[] embedding, String backboneId, double probability,
                  String modelVersion, double threshold) implements InferenceResult {

        public PredictedLabel label() {
            return PredictedLabel.of(probability, threshold);
        }
    }
}
