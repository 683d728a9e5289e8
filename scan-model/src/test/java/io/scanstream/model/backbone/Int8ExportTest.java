package io.scanstream.model.backbone;

import io.scanstream.core.artifact.Quantization;
import io.scanstream.core.contract.Json;
import io.scanstream.core.imaging.GreyImage;
import io.scanstream.core.synthetic.SyntheticCtGenerator;
import io.scanstream.model.onnx.OnnxModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The project's own int8 quantisation ({@link OnnxExport#writeInt8}): seeded weights written as a QDQ graph,
 * calibrated on CT-like phantoms, served by the project's loader on ONNX Runtime next to the float graph of the same
 * weights, on phantoms calibration did not see.
 */
class Int8ExportTest {

    private static final int SIZE = 96;
    private static final SyntheticCtGenerator PHANTOMS = new SyntheticCtGenerator(23);

    @ParameterizedTest
    @EnumSource(value = BackboneArchitecture.class, names = {"MOBILENET_V2", "RESNET34"})
    void theInt8GraphGivesFeaturesCloseToTheFloatGraphsOfTheSameWeights(BackboneArchitecture architecture,
                                                                         @TempDir Path dir) throws Exception {
        Path params = TestWeights.params(architecture, 5, dir.resolve("weights.params"));
        Path int8 = dir.resolve("int8.onnx");
        OnnxExport.writeInt8(new BackboneSpec(architecture, Optional.of(params), FeatureReadout.FINAL,
                BackboneEngine.ONNX_RUNTIME), int8, phantoms(0, 12));

        List<GreyImage> unseen = phantoms(100, 4);
        float[][] quantised;
        float[][] reference;
        try (FeatureExtractor quantisedExtractor = FeatureExtractors.load(new BackboneSpec(architecture,
                Optional.of(int8), FeatureReadout.FINAL, BackboneEngine.ONNX_RUNTIME), 1);
             FeatureExtractor floatExtractor = FeatureExtractors.load(new BackboneSpec(architecture,
                     Optional.of(params), FeatureReadout.FINAL, BackboneEngine.ONNX_RUNTIME), 1)) {
            assertThat(quantisedExtractor.engine()).isEqualTo("onnxruntime");
            assertThat(quantisedExtractor.backboneId()).as("an int8 file is its own backbone")
                    .isNotEqualTo(floatExtractor.backboneId());
            quantised = quantisedExtractor.embed(unseen, unseen.size());
            reference = floatExtractor.embed(unseen, unseen.size());
        }
        for (int i = 0; i < unseen.size(); i++) {
            assertThat(quantised[i]).hasSize(architecture.featureDim());
            assertThat(FeatureCorrelation.of(quantised[i], reference[i])).as("image %d", i).isGreaterThan(0.95);
        }

        // every convolution takes int8 weights; no float convolution weights are left
        OnnxModel model = OnnxModel.read(int8);
        long convolutions = model.nodes().stream().filter(n -> n.opType().equals("Conv")).count();
        assertThat(model.initializers().values().stream().filter(t -> t.dataType() == OnnxModel.INT8).count())
                .isEqualTo(convolutions);
        assertThat(model.initializers().values().stream()
                .filter(t -> t.dataType() == OnnxModel.FLOAT && t.dims().length == 4)).isEmpty();
        assertThat(model.nodes().stream().filter(n -> n.opType().equals("QuantizeLinear")).count())
                .isGreaterThanOrEqualTo(convolutions);
    }

    @Test
    void theMultiScaleReadoutQuantisedInMemoryServesUnderItsOwnInt8Id(@TempDir Path dir) throws Exception {
        BackboneSpec spec = seededMobileNetV2(dir, 7, FeatureReadout.MULTI_SCALE)
                .withEngine(BackboneEngine.ONNX_RUNTIME);
        List<GreyImage> unseen = phantoms(200, 3);
        float[][] quantised;
        float[][] reference;
        String floatId;
        try (FeatureExtractor int8 = FeatureExtractors.int8(spec, phantoms(0, 8));
             FeatureExtractor float32 = FeatureExtractors.load(spec, 1)) {
            floatId = float32.backboneId();
            assertThat(int8.backboneId()).as("the float weights' id, then the ranges'")
                    .matches(java.util.regex.Pattern.quote(floatId) + "-int8-[0-9a-f]{12}");
            assertThat(int8.featureDim()).isEqualTo(float32.featureDim());
            quantised = int8.embed(unseen, unseen.size());
            reference = float32.embed(unseen, unseen.size());
        }
        assertThat(floatId).doesNotContain("int8");
        for (int i = 0; i < unseen.size(); i++) {
            assertThat(FeatureCorrelation.of(quantised[i], reference[i])).as("image %d", i).isGreaterThan(0.95);
        }
    }

    @Test
    void theWeightsAndTheRangesDetermineTheInt8BackboneWhoeverBuildsIt(@TempDir Path dir) throws Exception {
        BackboneSpec spec = seededMobileNetV2(dir, 9, FeatureReadout.MULTI_SCALE);
        // what training measures and puts in the manifest, and what a reader of the manifest loads from it
        Quantization ranges = OnnxExport.calibrate(spec, phantoms(0, 6));
        Quantization travelled = Json.MAPPER.readValue(Json.MAPPER.writeValueAsBytes(ranges), Quantization.class);
        assertThat(travelled).isEqualTo(ranges);
        BackboneSpec served = spec.withQuantization(Optional.of(travelled));
        assertThat(served.resolvedEngine()).as("int8 runs on ONNX Runtime whatever the file")
                .isEqualTo(BackboneEngine.ONNX_RUNTIME);

        List<GreyImage> unseen = phantoms(300, 3);
        try (FeatureExtractor writer = FeatureExtractors.load(spec.withQuantization(Optional.of(ranges)), 1);
             FeatureExtractor reader = FeatureExtractors.load(served, 1)) {
            assertThat(reader.backboneId()).isEqualTo(writer.backboneId())
                    .isEqualTo(FeatureExtractors.backboneId(served))
                    .endsWith("-int8-" + ranges.fingerprint());
            assertThat(reader.embed(unseen, unseen.size())).isDeepEqualTo(writer.embed(unseen, unseen.size()));
        }
        // Grad-CAM runs the float weights the graph was quantised from, under the version's id
        try (DifferentiableBackbone explained = FeatureExtractors.differentiable(served, 1)) {
            assertThat(explained.backboneId()).isEqualTo(FeatureExtractors.backboneId(served));
        }
    }

    @Test
    void refusesInt8OnPyTorchAndRangesMeasuredOnAnotherGraph(@TempDir Path dir) throws Exception {
        BackboneSpec finalReadout = seededMobileNetV2(dir, 9, FeatureReadout.FINAL);
        Quantization ranges = OnnxExport.calibrate(finalReadout, phantoms(0, 2));

        assertThatThrownBy(() -> FeatureExtractors.load(finalReadout.withQuantization(Optional.of(ranges))
                .withEngine(BackboneEngine.PYTORCH), 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("only ONNX Runtime runs");
        float[][] fewer = java.util.Arrays.copyOf(ranges.activationRanges(), ranges.activationRanges().length - 1);
        assertThatThrownBy(() -> FeatureExtractors.load(finalReadout.withQuantization(
                Optional.of(Quantization.int8(fewer))), 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ranges");
        assertThatThrownBy(() -> Quantization.int8(new float[][] {{1f, 0f}}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[min, max]");
    }

    @Test
    void theCalibrationSampleIsSpreadOverTheWholeList() {
        List<Integer> rows = java.util.stream.IntStream.range(0, 10).boxed().toList();
        assertThat(OnnxExport.calibrationSample(rows, 4)).containsExactly(0, 2, 5, 7);
        assertThat(OnnxExport.calibrationSample(rows, 64)).as("fewer rows than wanted: all").isEqualTo(rows);
        assertThat(OnnxExport.calibrationSample(List.of(), 64)).isEmpty();
        assertThatThrownBy(() -> OnnxExport.calibrationSample(rows, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one image");
    }

    @Test
    void refusesToQuantiseWithoutCalibrationImages(@TempDir Path dir) throws Exception {
        BackboneSpec spec = seededMobileNetV2(dir, 5, FeatureReadout.FINAL).withEngine(BackboneEngine.ONNX_RUNTIME);
        assertThatThrownBy(() -> OnnxExport.writeInt8(spec, dir.resolve("int8.onnx"), List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("calibration");
    }

    /** A seeded MobileNetV2 written as a {@code .params} file in {@code dir}, with the engine chosen by the file. */
    private static BackboneSpec seededMobileNetV2(Path dir, long seed, FeatureReadout readout) throws Exception {
        Path params = TestWeights.params(BackboneArchitecture.MOBILENET_V2, seed, dir.resolve("weights.params"));
        return new BackboneSpec(BackboneArchitecture.MOBILENET_V2, Optional.of(params), readout);
    }

    private static List<GreyImage> phantoms(long first, int count) {
        return LongStream.range(first, first + count)
                .mapToObj(i -> PHANTOMS.render(i, PHANTOMS.labelOf(i), SIZE, SIZE)).toList();
    }
}
