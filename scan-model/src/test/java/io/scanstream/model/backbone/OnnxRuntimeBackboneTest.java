package io.scanstream.model.backbone;

import io.scanstream.core.imaging.GreyImage;
import io.scanstream.model.Fixtures;
import io.scanstream.model.onnx.OnnxGraphWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Which engine runs which file, and what ONNX Runtime refuses (with the reason). */
class OnnxRuntimeBackboneTest {

    private static final BackboneArchitecture MOBILENET = BackboneArchitecture.MOBILENET_V2;

    @TempDir
    Path dir;

    @Test
    void autoPicksOnnxRuntimeForOnnxFilesAndPyTorchOtherwiseAndEitherCanBeForced() throws Exception {
        Path params = TestWeights.params(MOBILENET, 5, dir.resolve("m.params"));
        Path onnx = TestWeights.onnx(MOBILENET, 5, false, dir.resolve("m.onnx"));

        assertThat(engineOf(BackboneSpec.of(MOBILENET, onnx))).isEqualTo("onnxruntime");
        assertThat(engineOf(BackboneSpec.of(MOBILENET, params))).isEqualTo("pytorch");
        assertThat(engineOf(BackboneSpec.of(MOBILENET, params).withEngine(BackboneEngine.ONNX_RUNTIME)))
                .isEqualTo("onnxruntime");
        assertThat(engineOf(BackboneSpec.of(MOBILENET, onnx).withEngine(BackboneEngine.PYTORCH))).isEqualTo("pytorch");
        assertThat(BackboneEngine.fromId("onnxruntime")).isEqualTo(BackboneEngine.ONNX_RUNTIME);
        assertThat(BackboneEngine.fromId("PYTORCH")).isEqualTo(BackboneEngine.PYTORCH);
        assertThat(BackboneEngine.AUTO.resolve(Optional.empty())).isEqualTo(BackboneEngine.PYTORCH);
        assertThatThrownBy(() -> BackboneEngine.fromId("tensorrt")).hasMessageContaining("auto, pytorch, onnxruntime");
    }

    @Test
    void aRandomInitialisationRunsOnOnnxRuntimeUnderItsRandomIdWithTheFeaturesOfPyTorch() throws Exception {
        BackboneSpec spec = BackboneSpec.randomlyInitialised(MOBILENET);
        List<GreyImage> images = List.of(Fixtures.noise(64, 8), Fixtures.noise(64, 9));
        try (FeatureExtractor pytorch = FeatureExtractors.load(spec, 11);
             FeatureExtractor ort = FeatureExtractors.load(spec.withEngine(BackboneEngine.ONNX_RUNTIME), 11)) {
            assertThat(ort.backboneId()).isEqualTo("mobilenet_v2:random");
            assertThat(ort.pretrained()).isFalse();
            assertThat(ort.device()).isEqualTo("cpu");
            assertThat(CrossEngineEquivalenceTest.relativeDifference(pytorch.embed(images, 2), ort.embed(images, 2)))
                    .isLessThan(1e-4);
        }
    }

    @Test
    void givesTheSameFeaturesForTheSameImagesWithOrWithoutPadding() throws Exception {
        Path onnx = TestWeights.onnx(MOBILENET, 6, false, dir.resolve("m.onnx"));
        List<GreyImage> images = List.of(Fixtures.noise(64, 11), Fixtures.noise(64, 12), Fixtures.noise(64, 13));
        try (FeatureExtractor extractor = FeatureExtractors.load(BackboneSpec.of(MOBILENET, onnx), 0)) {
            float[][] first = extractor.embed(images, 4);

            assertThat(extractor.embed(images, 4)).isEqualTo(first);
            assertThat(CrossEngineEquivalenceTest.relativeDifference(first, extractor.embed(images, 8)))
                    .isLessThan(1e-5);
            assertThat(CrossEngineEquivalenceTest.relativeDifference(new float[][] {first[1]},
                    extractor.embed(images.subList(1, 2), 1))).isLessThan(1e-5);
            assertThatThrownBy(() -> extractor.embed(List.of(Fixtures.noise(64, 1), Fixtures.noise(32, 2)), 2))
                    .hasMessageContaining("mixed image sizes");
        }
    }

    @Test
    void refusesAFileThatIsNotAnOnnxGraph() throws Exception {
        Path file = Files.writeString(dir.resolve("backbone.onnx"), "not a graph");

        assertThatThrownBy(() -> FeatureExtractors.load(BackboneSpec.of(MOBILENET, file), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("backbone.onnx");
        assertThatThrownBy(() -> FeatureExtractors.load(BackboneSpec.of(MOBILENET, file)
                .withEngine(BackboneEngine.PYTORCH), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not an ONNX model");
    }

    /** A ResNet-34 graph declared as MobileNetV2: PyTorch cannot map it, ONNX Runtime sees 512 features, not 1280. */
    @Test
    void refusesAGraphOfAnotherArchitectureSayingWhy() throws Exception {
        Path resnet = TestWeights.onnx(BackboneArchitecture.RESNET34, 7, false, dir.resolve("resnet.onnx"));

        assertThatThrownBy(() -> FeatureExtractors.load(BackboneSpec.of(MOBILENET, resnet)
                .withEngine(BackboneEngine.PYTORCH), 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not map onto the mobilenet_v2 backbone");
        assertThatThrownBy(() -> FeatureExtractors.load(BackboneSpec.of(MOBILENET, resnet), 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("do not fit the architecture").hasMessageContaining("1280");
        assertThatThrownBy(() -> FeatureExtractors.load(BackboneSpec.of(MOBILENET, resnet)
                .withReadout(FeatureReadout.MULTI_SCALE), 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not map onto the mobilenet_v2 backbone");
    }

    @Test
    void refusesAGraphWithAFixedBatchSize() throws Exception {
        OnnxGraphWriter graph = new OnnxGraphWriter("fixed");
        graph.input("input", 1L, 3L, 32L, 32L);
        String pooled = graph.node("GlobalAveragePool", List.of("input"));
        graph.output(graph.node("Flatten", List.of(pooled), OnnxGraphWriter.Attribute.of("axis", 1L)), 1L, 3L);
        Path file = Files.write(dir.resolve("fixed.onnx"), graph.toBytes("test"));

        assertThatThrownBy(() -> FeatureExtractors.load(BackboneSpec.of(MOBILENET, file), 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fixed batch of 1").hasMessageContaining("dynamic batch axis");
    }

    private static String engineOf(BackboneSpec spec) throws Exception {
        try (FeatureExtractor extractor = FeatureExtractors.load(spec, 0)) {
            return extractor.engine();
        }
    }
}
