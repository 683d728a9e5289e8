package io.scanstream.benchmarks;

import io.scanstream.core.imaging.GreyImage;
import io.scanstream.model.DjlEnvironment;
import io.scanstream.model.backbone.BackboneArchitecture;
import io.scanstream.model.backbone.BackboneEngine;
import io.scanstream.model.backbone.BackboneSpec;
import io.scanstream.model.backbone.BackboneWeights;
import io.scanstream.model.backbone.FeatureExtractor;
import io.scanstream.model.backbone.FeatureExtractors;
import io.scanstream.model.backbone.FeatureReadout;
import io.scanstream.model.backbone.OnnxExport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The raw forward pass (backbone only, no head, no Kafka) of the same weights on each engine, in one process,
 * side by side: the ImageNet MobileNetV2 as TorchScript on PyTorch (today's serving path), as the ONNX export on
 * ONNX Runtime, and as DJL parameters (the form fine-tuned backbones take) on PyTorch's eager Java block and on
 * ONNX Runtime through the graph scan-model writes from that block, and that block as the int8 graph a fine-tuning run
 * serves by default (calibrated on 64 of the benchmark's images). The engines take turns, batch size by batch
 * size, for {@code --rounds} rounds; each round's ratio to TorchScript compares measurements seconds apart, and
 * the table gives medians over the rounds with the range.
 *
 * <p>Options: {@code --pt PATH}, {@code --onnx PATH} (defaults: the shared ImageNet files), {@code --readout
 * final|multi-scale}, {@code --batches 1,8,32}, {@code --seconds 10} (per measurement), {@code --rounds 3},
 * {@code --data-dir PATH}, {@code --extra-onnx PATH[,PATH]} (more backbone graphs of the network on ONNX Runtime, e.g.
 * the int8 ones {@code OnnxFeatureTap} and {@code evaluation/run quantize} make; final readout only).
 */
public final class EngineComparisonBenchmark {

    private record Engine(String name, BackboneSpec spec) {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = InferenceThroughputBenchmark.parse(args);
        DjlEnvironment.configure();
        Path pt = Path.of(opts.getOrDefault("pt", "../shared/models/mobilenet_v2_imagenet_backbone.pt"));
        Path onnx = Path.of(opts.getOrDefault("onnx", "../shared/models/mobilenet_v2_imagenet_backbone.onnx"));
        if (!Files.isRegularFile(pt) || !Files.isRegularFile(onnx)) {
            System.err.println("needs the same weights as TorchScript and ONNX: " + pt + ", " + onnx
                    + " (../shared/models; --pt/--onnx to choose)");
            System.exit(2);
        }
        FeatureReadout readout = FeatureReadout.fromId(opts.getOrDefault("readout", "final"));
        int[] batches = Arrays.stream(opts.getOrDefault("batches", "1,8,32").split(",")).mapToInt(Integer::parseInt)
                .toArray();
        Duration seconds = Duration.ofSeconds(Long.parseLong(opts.getOrDefault("seconds", "10")));
        int rounds = Integer.parseInt(opts.getOrDefault("rounds", "3"));
        if (opts.containsKey("data-dir")) {
            System.setProperty(BenchmarkImages.DATA_DIR_PROPERTY, opts.get("data-dir"));
        }
        String source = Files.isRegularFile(BenchmarkImages.dataDir().resolve("manifest.csv")) ? "real" : "synthetic";
        List<GreyImage> images = BenchmarkImages.preprocessed(source);
        Path params = Files.createTempFile("mobilenet_v2-imagenet", ".params");
        params.toFile().deleteOnExit();
        Files.write(params, BackboneWeights.asDjlParameters(BackboneArchitecture.MOBILENET_V2, pt));

        BackboneArchitecture mobilenet = BackboneArchitecture.MOBILENET_V2;
        List<Engine> engines = new ArrayList<>(List.of(
                new Engine("pytorch, torchscript .pt", spec(mobilenet, pt, readout, BackboneEngine.PYTORCH)),
                new Engine("onnxruntime, .onnx file", spec(mobilenet, onnx, readout, BackboneEngine.ONNX_RUNTIME)),
                new Engine("pytorch, java block .params", spec(mobilenet, params, readout, BackboneEngine.PYTORCH)),
                new Engine("onnxruntime, graph from .params", spec(mobilenet, params, readout,
                        BackboneEngine.ONNX_RUNTIME))));
        // As a fine-tuning run serves its backbone by default (training.backbones.served-as=int8): the same
        // .params as an int8 graph, calibrated on a sample of these images (throughput does not depend on which).
        BackboneSpec floatParams = spec(mobilenet, params, readout, BackboneEngine.ONNX_RUNTIME);
        engines.add(new Engine("onnxruntime, int8 graph from .params", floatParams.withQuantization(Optional.of(
                OnnxExport.calibrate(floatParams, OnnxExport.calibrationSample(images,
                        OnnxExport.DEFAULT_CALIBRATION_IMAGES))))));
        if (opts.containsKey("extra-onnx")) {
            for (String extra : opts.get("extra-onnx").split(",")) {
                engines.add(new Engine("onnxruntime, " + Path.of(extra).getFileName(),
                        spec(mobilenet, Path.of(extra), readout, BackboneEngine.ONNX_RUNTIME)));
            }
        }
        System.out.printf(Locale.ROOT, "machine: %d cores, %s %s; JVM %s; %d %s images; readout %s%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"),
                System.getProperty("os.arch"), System.getProperty("java.version"), images.size(), source, readout.id());

        Map<String, FeatureExtractor> loaded = new LinkedHashMap<>();
        try {
            for (Engine engine : engines) {
                FeatureExtractor extractor = FeatureExtractors.load(engine.spec(), 0);
                loaded.put(engine.name(), extractor);
                System.out.printf("%-34s %s engine=%s%n", engine.name(), extractor.backboneId(), extractor.engine());
            }
            // results[engine][batch][round]
            Map<String, Map<Integer, double[]>> results = new LinkedHashMap<>();
            loaded.keySet().forEach(name -> {
                Map<Integer, double[]> perBatch = new LinkedHashMap<>();
                Arrays.stream(batches).forEach(b -> perBatch.put(b, new double[rounds]));
                results.put(name, perBatch);
            });
            for (int round = 0; round < rounds; round++) {
                for (int batch : batches) {
                    for (Map.Entry<String, FeatureExtractor> e : loaded.entrySet()) {
                        double rate = throughput(e.getValue(), images, batch, seconds);
                        results.get(e.getKey()).get(batch)[round] = rate;
                        System.out.printf(Locale.ROOT, "round %d, batch %2d, %-34s %7.1f images/s%n", round + 1, batch,
                                e.getKey(), rate);
                    }
                }
            }
            report(results, batches, rounds, engines.get(0).name());
        } finally {
            loaded.values().forEach(FeatureExtractor::close);
        }
        System.exit(0);
    }

    private static void report(Map<String, Map<Integer, double[]>> results, int[] batches, int rounds,
                               String baseline) {
        System.out.printf(Locale.ROOT, "%nmedian images/s over %d rounds [min-max]; ratio to %s (median of the"
                + " per-round ratios [min-max])%n", rounds, baseline);
        StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "| %-34s |", "engine"));
        for (int batch : batches) {
            header.append(String.format(Locale.ROOT, " batch %d | ratio |", batch));
        }
        System.out.println(header);
        for (Map.Entry<String, Map<Integer, double[]>> e : results.entrySet()) {
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "| %-34s |", e.getKey()));
            for (int batch : batches) {
                double[] rates = e.getValue().get(batch);
                double[] base = results.get(baseline).get(batch);
                double[] ratios = new double[rounds];
                for (int r = 0; r < rounds; r++) {
                    ratios[r] = rates[r] / base[r];
                }
                row.append(String.format(Locale.ROOT, " %.1f [%.1f-%.1f] | %.2fx [%.2f-%.2f] |", median(rates),
                        min(rates), max(rates), median(ratios), min(ratios), max(ratios)));
            }
            System.out.println(row);
        }
    }

    private static double throughput(FeatureExtractor extractor, List<GreyImage> images, int batch,
                                     Duration duration) {
        for (int i = 0; i < 3; i++) { // warm-up at this shape
            extractor.embed(slice(images, i * batch, batch), batch);
        }
        long end = System.nanoTime() + duration.toNanos();
        long start = System.nanoTime();
        long done = 0;
        int next = 0;
        while (System.nanoTime() < end) {
            extractor.embed(slice(images, next, batch), batch);
            next += batch;
            done += batch;
        }
        return done / ((System.nanoTime() - start) / 1e9);
    }

    private static BackboneSpec spec(BackboneArchitecture architecture, Path weights, FeatureReadout readout,
                                     BackboneEngine engine) {
        return new BackboneSpec(architecture, Optional.of(weights), readout, engine);
    }

    private static List<GreyImage> slice(List<GreyImage> images, int from, int n) {
        List<GreyImage> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(images.get(Math.floorMod(from + i, images.size())));
        }
        return out;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static double min(double[] values) {
        return Arrays.stream(values).min().orElse(Double.NaN);
    }

    private static double max(double[] values) {
        return Arrays.stream(values).max().orElse(Double.NaN);
    }
}
