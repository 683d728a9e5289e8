package io.scanstream.model.backbone;

import io.scanstream.core.imaging.GreyImage;
import io.scanstream.core.synthetic.SyntheticCtGenerator;
import io.scanstream.model.Fixtures;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The real ImageNet MobileNetV2 backbone (TorchScript, 224x224 → 1280) from the shared models folder named by the
 * system property {@code scanstream.shared.models}. That folder is not part of the repository: without it these
 * tests are skipped, saying why.
 */
class PretrainedMobileNetV2Test {

    private static final String FILE = "mobilenet_v2_imagenet_backbone.pt";
    private Path weights;

    /** Per test rather than per class, so that each skipped test is reported with the reason. */
    @BeforeEach
    void locateWeights() {
        Optional<Path> found = Fixtures.sharedModel(FILE);
        assumeTrue(found.isPresent(), () -> FILE + " not found under scanstream.shared.models="
                + System.getProperty("scanstream.shared.models") + "; skipping the ImageNet MobileNetV2 checks");
        weights = found.get();
    }

    @Test
    void embedsCtSizedScansIntoNonNegative1280WideFeatures() throws Exception {
        try (FeatureExtractor extractor = load()) {
            float[][] features = extractor.embed(images(), 4);

            assertThat(features).hasNumberOfRows(3);
            for (float[] row : features) {
                assertThat(row).hasSize(1280);
                for (float v : row) {
                    // ReLU6 then average pooling
                    assertThat(Float.isFinite(v) && v >= 0 && v <= 6).as("feature %s", v).isTrue();
                }
            }
            assertThat(features[0]).isNotEqualTo(features[1]);
            assertThat(extractor.pretrained()).isTrue();
        }
    }

    @Test
    void givesTheSameFeaturesForTheSameScansWithOrWithoutPadding() throws Exception {
        List<GreyImage> images = images();
        try (FeatureExtractor extractor = load()) {
            float[][] unpadded = extractor.embed(images, 3);

            assertThat(extractor.embed(images, 3)).isEqualTo(unpadded);
            float[][] padded = extractor.embed(images, 8);
            for (int i = 0; i < unpadded.length; i++) {
                for (int j = 0; j < 1280; j++) {
                    // another batch size may take another convolution kernel: equal up to float rounding
                    assertThat(padded[i][j]).isCloseTo(unpadded[i][j],
                            org.assertj.core.data.Offset.offset(1e-4f * Math.max(1f, Math.abs(unpadded[i][j]))));
                }
            }
        }
    }

    @Test
    void identifiesItselfByItsWeightsAndTheFileByItsPublishedHash() throws Exception {
        String sha256 = io.scanstream.core.integrity.Sha256.hex(weights);
        try (FeatureExtractor extractor = load()) {
            assertThat(extractor.backboneId()).matches("mobilenet_v2:[0-9a-f]{12}")
                    .isEqualTo(FeatureExtractors.backboneId(BackboneSpec.of(BackboneArchitecture.MOBILENET_V2, weights)))
                    .isNotEqualTo("mobilenet_v2:" + sha256.substring(0, 12));
        }
        Path sums = weights.resolveSibling("SHA256SUMS");
        if (Files.isRegularFile(sums)) {
            assertThat(Files.readString(sums)).contains(sha256 + "  " + FILE);
        }
    }

    private FeatureExtractor load() throws Exception {
        return FeatureExtractors.load(BackboneSpec.of(BackboneArchitecture.MOBILENET_V2, weights), 0);
    }

    private static List<GreyImage> images() {
        SyntheticCtGenerator generator = new SyntheticCtGenerator(Fixtures.SEED);
        return LongStream.range(0, 3).mapToObj(i -> generator.render(i, generator.labelOf(i), 224, 224)).toList();
    }
}
