package io.scanstream.model.backbone;

import io.scanstream.core.imaging.GreyImage;
import io.scanstream.core.synthetic.SyntheticCtGenerator;
import io.scanstream.model.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The same backbone gives the same embeddings whichever engine runs it and whichever file holds its weights, and
 * one backbone id: DJL parameters on PyTorch, their ONNX export on ONNX Runtime, the export imported into PyTorch,
 * the parameters exported in-process to ONNX Runtime — for both readouts. The bound is 1e-4 of the largest feature
 * (measured: a few 1e-6; libtorch and ONNX Runtime pick different convolution kernels).
 */
class CrossEngineEquivalenceTest {

    private static final double BOUND = 1e-4;
    private static final long SEED = 20260601L;

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(FeatureReadout.class)
    void everyFileAndEngineOfTestWeightsGivesTheSameEmbeddingsAndTheSameId(FeatureReadout readout) throws Exception {
        Path params = TestWeights.params(BackboneArchitecture.MOBILENET_V2, SEED, dir.resolve("mobilenet.params"));
        Path onnx = TestWeights.onnx(BackboneArchitecture.MOBILENET_V2, SEED, false, dir.resolve("mobilenet.onnx"));
        List<GreyImage> scans = ctScans(3);

        List<BackboneSpec> specs = List.of(
                spec(params, readout, BackboneEngine.PYTORCH),
                spec(onnx, readout, BackboneEngine.AUTO),
                spec(onnx, readout, BackboneEngine.PYTORCH),
                spec(params, readout, BackboneEngine.ONNX_RUNTIME));
        float[][] reference = null;
        String id = null;
        for (BackboneSpec spec : specs) {
            try (FeatureExtractor extractor = FeatureExtractors.load(spec, 0)) {
                float[][] features = extractor.embed(scans, 4);
                assertThat(features[0]).hasSize(readout.featureDim(BackboneArchitecture.MOBILENET_V2));
                if (reference == null) {
                    reference = features;
                    id = extractor.backboneId();
                    assertThat(Fixtures.maxAbs(features)).isGreaterThan(0.01);
                } else {
                    assertThat(relativeDifference(reference, features)).as("%s", spec).isLessThan(BOUND);
                }
                assertThat(extractor.backboneId()).as("%s", spec).isEqualTo(id)
                        .isEqualTo(FeatureExtractors.backboneId(spec));
                assertThat(extractor.engine()).isEqualTo(spec.resolvedEngine() == BackboneEngine.PYTORCH
                        ? "pytorch" : "onnxruntime");
            }
        }
        assertThat(id).startsWith("mobilenet_v2" + (readout == FeatureReadout.MULTI_SCALE ? "+ms:" : ":"));
    }

    /** ResNet-34 and VGG-16 too, at a small input (VGG-19 differs from VGG-16 only in its table). */
    @ParameterizedTest
    @EnumSource(value = BackboneArchitecture.class, names = {"RESNET34", "VGG16"})
    void theOtherArchitecturesAgreeAcrossEnginesAtEveryStage(BackboneArchitecture architecture) throws Exception {
        Path params = TestWeights.params(architecture, SEED, dir.resolve(architecture.id() + ".params"));
        List<GreyImage> images = List.of(Fixtures.noise(64, 1), Fixtures.noise(64, 2));
        for (FeatureReadout readout : FeatureReadout.values()) {
            try (FeatureExtractor pytorch = FeatureExtractors.load(spec(architecture, params, readout,
                    BackboneEngine.PYTORCH), 0);
                 FeatureExtractor ort = FeatureExtractors.load(spec(architecture, params, readout,
                         BackboneEngine.ONNX_RUNTIME), 0)) {
                assertThat(relativeDifference(pytorch.embed(images, 2), ort.embed(images, 2)))
                        .as("%s %s", architecture, readout).isLessThan(BOUND);
                assertThat(ort.backboneId()).isEqualTo(pytorch.backboneId());
            }
        }
    }

    /**
     * A graph with batch norm folded into the convolutions — what PyTorch's exporter writes — imports into the
     * block (the convolution's bias as the batch norm's shift) and computes what the unfolded weights compute.
     */
    @Test
    void anExportWithBatchNormFoldedIntoTheConvolutionsComputesTheSameFeatures() throws Exception {
        Path params = TestWeights.params(BackboneArchitecture.RESNET34, SEED, dir.resolve("resnet.params"));
        Path folded = TestWeights.onnx(BackboneArchitecture.RESNET34, SEED, true, dir.resolve("resnet-folded.onnx"));
        List<GreyImage> images = List.of(Fixtures.noise(64, 3), Fixtures.noise(64, 4));
        BackboneArchitecture resnet = BackboneArchitecture.RESNET34;
        try (FeatureExtractor unfolded = FeatureExtractors.load(spec(resnet, params, FeatureReadout.FINAL,
                BackboneEngine.PYTORCH), 0);
             FeatureExtractor ort = FeatureExtractors.load(spec(resnet, folded, FeatureReadout.FINAL,
                     BackboneEngine.AUTO), 0);
             FeatureExtractor imported = FeatureExtractors.load(spec(resnet, folded, FeatureReadout.MULTI_SCALE,
                     BackboneEngine.PYTORCH), 0)) {
            float[][] expected = unfolded.embed(images, 2);
            assertThat(relativeDifference(expected, ort.embed(images, 2))).isLessThan(BOUND);
            float[][] stages = imported.embed(images, 2);
            float[][] last = new float[2][];
            for (int i = 0; i < 2; i++) {
                last[i] = java.util.Arrays.copyOfRange(stages[i], stages[i].length - 512, stages[i].length);
            }
            assertThat(relativeDifference(expected, last)).isLessThan(BOUND);
            // other numbers in the block (scaled weights, statistics 0 and 1 - eps): other weights, another id
            assertThat(ort.backboneId()).isNotEqualTo(unfolded.backboneId());
            assertThat(imported.backboneId()).isEqualTo(ort.backboneId().replace("resnet34:", "resnet34+ms:"));
        }
    }

    /** The shared ImageNet files, when this machine has them: TorchScript on PyTorch, the ONNX export on ONNX Runtime. */
    @Test
    void theImageNetTorchScriptAndOnnxFilesAgreeAndShareTheirId() throws Exception {
        Optional<Path> pt = Fixtures.sharedModel("mobilenet_v2_imagenet_backbone.pt");
        Optional<Path> onnx = Fixtures.sharedModel("mobilenet_v2_imagenet_backbone.onnx");
        assumeTrue(pt.isPresent() && onnx.isPresent(), () -> "mobilenet_v2_imagenet_backbone.pt/.onnx not found under"
                + " scanstream.shared.models=" + System.getProperty("scanstream.shared.models")
                + "; skipping the ImageNet cross-engine check");
        List<GreyImage> scans = ctScans(4);
        for (FeatureReadout readout : FeatureReadout.values()) {
            try (FeatureExtractor torchScript = FeatureExtractors.load(spec(pt.get(), readout, BackboneEngine.AUTO), 0);
                 FeatureExtractor ort = FeatureExtractors.load(spec(onnx.get(), readout, BackboneEngine.AUTO), 0)) {
                assertThat(torchScript.engine()).isEqualTo("pytorch");
                assertThat(ort.engine()).isEqualTo("onnxruntime");
                float[][] expected = torchScript.embed(scans, 4);
                float[][] actual = ort.embed(scans, 4);
                assertThat(maxAbsDifference(expected, actual)).as("%s", readout).isLessThan(5e-5);
                assertThat(ort.backboneId()).isEqualTo(torchScript.backboneId());
            }
        }
    }

    private static BackboneSpec spec(Path weights, FeatureReadout readout, BackboneEngine engine) {
        return spec(BackboneArchitecture.MOBILENET_V2, weights, readout, engine);
    }

    private static BackboneSpec spec(BackboneArchitecture architecture, Path weights, FeatureReadout readout,
                                     BackboneEngine engine) {
        return new BackboneSpec(architecture, Optional.of(weights), readout, engine);
    }

    static List<GreyImage> ctScans(int n) {
        SyntheticCtGenerator generator = new SyntheticCtGenerator(Fixtures.SEED);
        return new ArrayList<>(LongStream.range(0, n).mapToObj(i -> generator.render(i, generator.labelOf(i), 224, 224))
                .toList());
    }

    static double relativeDifference(float[][] expected, float[][] actual) {
        double scale = Math.max(1e-6, Fixtures.maxAbs(expected));
        return maxAbsDifference(expected, actual) / scale;
    }

    static double maxAbsDifference(float[][] expected, float[][] actual) {
        assertThat(actual.length).isEqualTo(expected.length);
        double max = 0;
        for (int i = 0; i < expected.length; i++) {
            assertThat(actual[i]).hasSameSizeAs(expected[i]);
            for (int j = 0; j < expected[i].length; j++) {
                max = Math.max(max, Math.abs((double) expected[i][j] - actual[i][j]));
            }
        }
        return max;
    }
}
