package io.scanstream.evaluation;

import io.scanstream.core.imaging.GreyImage;
import io.scanstream.learning.data.LabelledImage;
import io.scanstream.model.backbone.BackboneArchitecture;
import io.scanstream.model.backbone.BackboneEngine;
import io.scanstream.model.backbone.BackboneSpec;
import io.scanstream.model.backbone.FeatureReadout;
import io.scanstream.model.backbone.OnnxExport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Quantises a backbone's weights to an int8 ONNX graph ({@link OnnxExport#writeInt8}), calibrated on scans of a
 * labelled data folder's official {@code train} list only (every k-th, through the shared preprocessor), so that the
 * {@code val} list it is then scored on stays unseen:
 *
 * <pre>
 * evaluation/run quantize --data-dir ../shared/data/covid-ct --weights FILE --out FILE.onnx
 *     [--architecture mobilenet_v2] [--calibration-scans 64]
 * </pre>
 *
 * The weights are any the project loads into its Java-built block ({@code .params}, e.g. a fine-tuned backbone, or
 * a TorchScript {@code .pt}). The written file is served like any {@code .onnx} backbone (final readout).
 */
public final class Int8Calibration {

    public static final int DEFAULT_CALIBRATION_SCANS = OnnxExport.DEFAULT_CALIBRATION_IMAGES;

    private Int8Calibration() {
    }

    public static void main(String[] args) throws Exception {
        Path dataDir = null;
        Path weights = null;
        Path out = null;
        BackboneArchitecture architecture = BackboneArchitecture.MOBILENET_V2;
        int count = DEFAULT_CALIBRATION_SCANS;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--data-dir" -> dataDir = Path.of(required(args[i], value));
                case "--weights" -> weights = Path.of(required(args[i], value));
                case "--out" -> out = Path.of(required(args[i], value));
                case "--architecture" -> architecture = BackboneArchitecture.fromId(required(args[i], value));
                case "--calibration-scans" -> count = Integer.parseInt(required(args[i], value));
                default -> throw new IllegalArgumentException("unknown option " + args[i] + "; usage: quantize"
                        + " --data-dir DIR --weights FILE --out FILE.onnx [--architecture A] [--calibration-scans N]");
            }
            i++;
        }
        if (dataDir == null || weights == null || out == null) {
            throw new IllegalArgumentException("--data-dir, --weights and --out are required");
        }
        Results results = new Results(out.toAbsolutePath().getParent());
        List<GreyImage> calibration = everyKth(DevelopmentSet.load(dataDir, 0, results).train(), count);
        long start = System.nanoTime();
        OnnxExport.writeInt8(new BackboneSpec(architecture, Optional.of(weights), FeatureReadout.FINAL,
                BackboneEngine.ONNX_RUNTIME), out, calibration);
        results.line("quantize.written file=%s bytes=%d architecture=%s weights=%s calibrationScans=%d (train)"
                        + " seconds=%.1f", out, Files.size(out), architecture.id(), weights, calibration.size(),
                (System.nanoTime() - start) / 1e9);
    }

    /** {@code count} images spread over the list (its order mixes sources and classes), or all when fewer. */
    public static List<GreyImage> everyKth(List<LabelledImage> train, int count) {
        return OnnxExport.calibrationSample(train, count).stream().map(LabelledImage::image).toList();
    }

    private static String required(String option, String value) {
        if (value == null) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return value;
    }
}
