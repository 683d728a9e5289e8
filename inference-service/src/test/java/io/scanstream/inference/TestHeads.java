package io.scanstream.inference;

import io.scanstream.core.artifact.HeadArchitecture;
import io.scanstream.core.artifact.ModelArtifact;
import io.scanstream.core.artifact.ModelMetadata;
import io.scanstream.core.artifact.ModelMetrics;
import io.scanstream.core.integrity.Sha256;
import io.scanstream.model.head.ClassificationHead;

import java.time.OffsetDateTime;
import java.util.List;

/** Head versions the service tests publish: a seeded random head on MobileNetV2's 1280 features. */
public final class TestHeads {

    private TestHeads() {
    }

    public static ModelArtifact random(String model, String version, String backbone, long seed, double threshold) {
        HeadArchitecture architecture = HeadArchitecture.standard(1280, 0.2);
        byte[] weights;
        try (ClassificationHead head = ClassificationHead.randomlyInitialised(architecture, seed)) {
            weights = head.weightsBytes();
        }
        ModelMetrics metrics = new ModelMetrics(List.of(), 0.8, 0.75, 0.7, 0.8, 0.7, threshold, null, 10, 2);
        return new ModelArtifact(new ModelMetadata(model, version, OffsetDateTime.now(), backbone, architecture,
                metrics, Sha256.hex(weights), null, null), weights);
    }
}
