package io.scanstream.model.backbone;

import io.scanstream.core.imaging.GreyImage;
import io.scanstream.core.synthetic.SyntheticCtGenerator;
import io.scanstream.model.Fixtures;
import io.scanstream.model.onnx.OnnxFeatureTap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The ONNX Model Zoo's int8 MobileNetV2 classifier from the shared models folder ({@code scanstream.shared.models}),
 * tapped into an int8 backbone, served by the project's own loader on ONNX Runtime next to the float32 export of the
 * same weights. Skipped, saying why, without that folder.
 */
class Int8MobileNetV2Test {

    private Path int8;
    private Path float32;

    @BeforeEach
    void locateWeights() {
        Optional<Path> quantised = Fixtures.sharedModel("mobilenetv2-12-int8.onnx");
        Optional<Path> exported = Fixtures.sharedModel("mobilenet_v2_imagenet_backbone.onnx");
        assumeTrue(quantised.isPresent() && exported.isPresent(), () -> "the int8 classifier or the float32 backbone"
                + " not found under scanstream.shared.models=" + System.getProperty("scanstream.shared.models")
                + "; skipping the int8 backbone check");
        int8 = quantised.get();
        float32 = exported.get();
    }

    @Test
    void theTappedInt8ClassifierServesFeaturesCloseToTheFloat32Backbones(@TempDir Path dir) throws Exception {
        Path tapped = dir.resolve("mobilenet_v2_int8_backbone.onnx");
        Files.write(tapped, OnnxFeatureTap.tap(Files.readAllBytes(int8), "627", 1280));
        // CT-like phantoms, as ingest hands them on: 224x224 grey
        SyntheticCtGenerator phantoms = new SyntheticCtGenerator(11);
        List<GreyImage> images = List.of(0L, 1L, 2L, 3L).stream()
                .map(i -> phantoms.render(i, phantoms.labelOf(i), 224, 224)).toList();

        float[][] quantisedFeatures;
        float[][] floatFeatures;
        try (FeatureExtractor quantised = FeatureExtractors.load(new BackboneSpec(BackboneArchitecture.MOBILENET_V2,
                Optional.of(tapped), FeatureReadout.FINAL, BackboneEngine.ONNX_RUNTIME), 1);
             FeatureExtractor reference = FeatureExtractors.load(new BackboneSpec(BackboneArchitecture.MOBILENET_V2,
                     Optional.of(float32), FeatureReadout.FINAL, BackboneEngine.ONNX_RUNTIME), 1)) {
            assertThat(quantised.engine()).isEqualTo("onnxruntime");
            quantisedFeatures = quantised.embed(images, 4);
            floatFeatures = reference.embed(images, 4);
        }
        for (int i = 0; i < images.size(); i++) {
            assertThat(quantisedFeatures[i]).hasSize(1280);
            assertThat(FeatureCorrelation.of(quantisedFeatures[i], floatFeatures[i])).as("image %d", i)
                    .isGreaterThan(0.95);
        }
    }
}
