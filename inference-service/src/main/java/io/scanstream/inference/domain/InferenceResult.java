package io.scanstream.inference.domain;

import io.scanstream.core.contract.ScanPreprocessed;

/**
 * What the network made of one scan: its embedding, and P(COVID) with the version that computed it when a head is
 * in service (null before the first version exists); or, when the forward pass failed even for the scan alone,
 * the failure.
 */
public record InferenceResult(ScanPreprocessed scan, float[] embedding, Double probability, String modelVersion,
                              Double threshold, String failure) {

    public static InferenceResult failed(ScanPreprocessed scan, String failure) {
        return new InferenceResult(scan, null, null, null, null, failure);
    }

    public boolean succeeded() {
        return failure == null;
    }
}
