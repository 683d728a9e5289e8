package io.scanstream.training.config;

import io.scanstream.core.integrity.Sha256;
import io.scanstream.model.backbone.BackboneArchitecture;
import io.scanstream.model.backbone.BackboneSpec;
import io.scanstream.model.backbone.FeatureExtractors;
import io.scanstream.model.backbone.FeatureReadout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class BackboneIdentityTest {

    @TempDir
    Path dir;

    @Test
    void namesABackboneByArchitectureAndTheWeightsFilesHashAsScanModelDoes() throws Exception {
        Path weights = dir.resolve("backbone.params");
        Files.write(weights, new byte[] {1, 2, 3, 4});

        assertThat(FeatureExtractors.backboneId(new BackboneSpec(BackboneArchitecture.RESNET34, Optional.of(weights))))
                .isEqualTo("resnet34:" + Sha256.hex(new byte[] {1, 2, 3, 4}).substring(0, 12));
        assertThat(FeatureExtractors.backboneId(BackboneSpec.randomlyInitialised(BackboneArchitecture.MOBILENET_V2)))
                .isEqualTo("mobilenet_v2:random");
        assertThat(FeatureExtractors.backboneId(new BackboneSpec(BackboneArchitecture.RESNET34, Optional.of(weights),
                FeatureReadout.MULTI_SCALE)))
                .isEqualTo("resnet34+ms:" + Sha256.hex(new byte[] {1, 2, 3, 4}).substring(0, 12));
    }
}
