package io.scanstream.model.backbone;

import io.scanstream.core.imaging.GreyImage;
import io.scanstream.model.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Backbones without weights files (32x32 inputs keep VGG fast on a CPU; every architecture accepts them). */
class RandomlyInitialisedBackboneTest {

    private static final List<GreyImage> IMAGES =
            List.of(Fixtures.noise(32, 1), Fixtures.noise(32, 2), Fixtures.noise(32, 3));

    @ParameterizedTest
    @EnumSource(BackboneArchitecture.class)
    void yieldsOneFeatureVectorOfTheArchitecturesWidthPerImage(BackboneArchitecture architecture) throws Exception {
        try (FeatureExtractor extractor =
                     FeatureExtractors.load(BackboneSpec.randomlyInitialised(architecture), Fixtures.SEED)) {
            float[][] features = extractor.embed(IMAGES, 4);

            assertThat(features).hasNumberOfRows(3);
            for (float[] row : features) {
                assertThat(row).hasSize(architecture.featureDim());
                for (float v : row) {
                    assertThat(Float.isFinite(v)).isTrue();
                }
            }
            assertThat(features[0]).isNotEqualTo(features[1]);
            assertThat(extractor.featureDim()).isEqualTo(architecture.featureDim());
            assertThat(extractor.device()).isIn("cpu", "gpu");
        }
    }

    @Test
    void saysInItsIdThatItIsRandomlyInitialised() throws Exception {
        try (FeatureExtractor extractor =
                     FeatureExtractors.load(BackboneSpec.randomlyInitialised(BackboneArchitecture.RESNET34), 7)) {
            assertThat(extractor.backboneId()).isEqualTo("resnet34:random");
            assertThat(extractor.pretrained()).isFalse();
        }
    }

    @Test
    void sameSeedGivesIdenticalFeaturesAndAnotherSeedOtherFeatures() throws Exception {
        BackboneSpec spec = BackboneSpec.randomlyInitialised(BackboneArchitecture.MOBILENET_V2);
        try (FeatureExtractor first = FeatureExtractors.load(spec, Fixtures.SEED);
             FeatureExtractor again = FeatureExtractors.load(spec, Fixtures.SEED);
             FeatureExtractor other = FeatureExtractors.load(spec, Fixtures.SEED + 1)) {
            float[][] features = first.embed(IMAGES, 4);

            assertThat(again.embed(IMAGES, 4)).isEqualTo(features);
            assertThat(other.embed(IMAGES, 4)[0]).isNotEqualTo(features[0]);
        }
    }

    @Test
    void paddingRowsDoNotChangeTheRealRows() throws Exception {
        try (FeatureExtractor extractor = FeatureExtractors.load(
                BackboneSpec.randomlyInitialised(BackboneArchitecture.RESNET34), Fixtures.SEED)) {
            float[][] unpadded = extractor.embed(IMAGES, 3);
            float[][] padded = extractor.embed(IMAGES, 8);

            assertThat(padded).isEqualTo(unpadded);
        }
    }
}
