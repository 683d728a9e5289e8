package io.scanstream.model.backbone;

import io.scanstream.core.imaging.GreyImage;
import io.scanstream.model.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The TorchScript path with tiny_backbone_512.pt: a module traced by torch 1.13 (make_fixtures.py), run by DJL's
 * libtorch 2.7.1, declared as a 512-wide architecture.
 */
class TorchScriptBackboneTest {

    private static final Path FIXTURE = Fixtures.path("tiny_backbone_512.pt");

    @Test
    void reproducesThePyTorchFeaturesOfTheReferenceBatch() throws Exception {
        float[][] expected = Fixtures.expectedOutput("tiny_backbone_512.expected.txt");
        try (FeatureExtractor extractor = load(BackboneArchitecture.RESNET34)) {
            float[][] features = extractor.embed(Fixtures.referenceBatch(), 2);

            assertThat(features).hasNumberOfRows(2);
            for (int row = 0; row < 2; row++) {
                for (int col = 0; col < 512; col++) {
                    assertThat(features[row][col]).isCloseTo(expected[row][col], within(1e-5f));
                }
            }
        }
    }

    /** The tiny module's weights do not map onto VGG-16's block: it is named by the file (WeightsIdentity). */
    @Test
    void identifiesAModuleWhoseWeightsDoNotMapOntoTheArchitectureByTheFilesHash() throws Exception {
        String sha256 = io.scanstream.core.integrity.Sha256.hex(FIXTURE);
        try (FeatureExtractor extractor = load(BackboneArchitecture.VGG16)) {
            assertThat(extractor.backboneId()).isEqualTo("vgg16:" + sha256.substring(0, 12))
                    .matches("vgg16:[0-9a-f]{12}");
            assertThat(extractor.pretrained()).isTrue();
            assertThat(extractor.featureDim()).isEqualTo(512);
        }
    }

    @Test
    void givesTheSameFeaturesForTheSameImagesWithOrWithoutPadding() throws Exception {
        List<GreyImage> images = List.of(Fixtures.noise(64, 11), Fixtures.noise(64, 12), Fixtures.noise(64, 13));
        try (FeatureExtractor extractor = load(BackboneArchitecture.RESNET34)) {
            float[][] first = extractor.embed(images, 4);

            assertThat(extractor.embed(images, 4)).isEqualTo(first);
            assertThat(extractor.embed(images, 16)).isEqualTo(first);
            assertThat(extractor.embed(images.subList(1, 2), 4)[0]).isEqualTo(first[1]);
        }
    }

    @Test
    void refusesToEmbedWhenTheModuleIsNarrowerThanTheDeclaredArchitecture() throws Exception {
        try (FeatureExtractor extractor = load(BackboneArchitecture.MOBILENET_V2)) {
            assertThatThrownBy(() -> extractor.embed(Fixtures.referenceBatch(), 2))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("produced (2, 512), expected (2, 1280)");
        }
    }

    @Test
    void refusesAFileThatIsNotTorchScript(@TempDir Path dir) throws Exception {
        Path notTorchScript = Files.writeString(dir.resolve("backbone.pt"), "not a module");

        assertThatThrownBy(() -> FeatureExtractors.load(BackboneSpec.of(BackboneArchitecture.VGG16, notTorchScript), 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a loadable TorchScript module");
    }

    @Test
    void refusesWeightsOfAnUnknownFileType(@TempDir Path dir) throws Exception {
        Path keras = Files.write(dir.resolve("backbone.h5"), new byte[] {1, 2, 3});

        assertThatThrownBy(() -> FeatureExtractors.load(BackboneSpec.of(BackboneArchitecture.VGG16, keras), 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(".pt, .torchscript").hasMessageContaining(".params").hasMessageContaining(".onnx");
    }

    private static FeatureExtractor load(BackboneArchitecture declared) throws Exception {
        return FeatureExtractors.load(BackboneSpec.of(declared, FIXTURE), 0);
    }
}
