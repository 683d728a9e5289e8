package io.scanstream.model.backbone;

import io.scanstream.core.imaging.GreyImage;
import io.scanstream.core.integrity.Sha256;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import io.scanstream.model.DjlEnvironment;
import io.scanstream.model.SeededInitializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * Loads a {@link FeatureExtractor} from a {@link BackboneSpec}: the one place where the weights file's
 * {@link WeightsFormat} and the {@link BackboneEngine} pick the path, and where the backbone id is computed.
 * <ul>
 *   <li>PyTorch: a {@code .pt} / {@code .torchscript} TorchScript module runs as it is for the final readout;
 *   otherwise the weights go into the Java-built {@link Backbones} block (imported from TorchScript or ONNX, or DJL
 *   parameters as {@code Model.save} or {@code Block.saveParameters} writes them).</li>
 *   <li>ONNX Runtime: an {@code .onnx} file runs as it is for the final readout; otherwise the Java-built block with
 *   its weights is written as an ONNX graph ({@link OnnxExport}) and that graph runs — any weights, any readout.
 *   Every generated graph is checked against the block on DJL before it serves.</li>
 * </ul>
 * Nothing is ever downloaded.
 */
public final class FeatureExtractors {

    private static final Logger LOG = LoggerFactory.getLogger(FeatureExtractors.class);
    private static final String ENGINE = "PyTorch";
    /** Generated graphs must reproduce the block's features to this fraction of the largest feature. */
    private static final double EXPORT_TOLERANCE = 1e-3;
    /** Size of the probe images checking a generated graph (VGG halves it five times). */
    private static final int PROBE_SIZE = 64;

    private FeatureExtractors() {
    }

    /**
     * @param seedForRandomInit used only when the spec has no weights
     * @throws IOException              when the weights file cannot be read
     * @throws IllegalArgumentException when the file's type is unknown or its contents do not fit the architecture
     */
    public static FeatureExtractor load(BackboneSpec spec, long seedForRandomInit) throws IOException {
        DjlEnvironment.configure();
        BackboneEngine engine = spec.resolvedEngine();
        if (spec.weights().isEmpty()) {
            DjlFeatureExtractor random = randomlyInitialised(spec, seedForRandomInit);
            return log(engine == BackboneEngine.ONNX_RUNTIME ? onnxRuntime(random, spec) : random, "random", spec);
        }
        Path file = spec.weights().get();
        if (spec.quantization().isPresent()) {
            if (engine != BackboneEngine.ONNX_RUNTIME) {
                throw new IllegalArgumentException("backbone " + backboneId(spec) + " is served as int8 ("
                        + spec.quantization().get() + "), which only ONNX Runtime runs: set the backbone engine to"
                        + " onnxruntime or auto, or have training publish float32 backbones");
            }
            return log(quantised(spec, file), "int8", spec);
        }
        WeightsFormat format = WeightsFormat.of(file);
        String source = format.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        if (engine == BackboneEngine.ONNX_RUNTIME) {
            if (format == WeightsFormat.ONNX && spec.readout() == FeatureReadout.FINAL) {
                return log(onnxFile(spec, file), source, spec);
            }
            return log(onnxRuntime(javaBlock(spec, file), spec), source + "-exported", spec);
        }
        if (format == WeightsFormat.TORCHSCRIPT && spec.readout() == FeatureReadout.FINAL) {
            return log(torchScript(spec, file, backboneId(spec)), source, spec);
        }
        return log(javaBlock(spec, file), source + "-imported", spec);
    }

    /**
     * The spec's weights quantised to int8 on ONNX Runtime, with the spec's readout, calibrated on
     * {@code calibration} ({@link OnnxExport#calibrate}): {@link #load} of the spec with that quantisation, so its id
     * names the ranges as well as the weights ({@link #backboneId(BackboneSpec)}).
     *
     * @param calibration preprocessed scans of the training side (a few dozen), never of the split being scored
     */
    public static FeatureExtractor int8(BackboneSpec spec, List<GreyImage> calibration) throws IOException {
        spec.weights().orElseThrow(() -> new IllegalArgumentException("no weights to quantise"));
        return load(spec.withQuantization(Optional.of(OnnxExport.calibrate(spec, calibration))), 0L);
    }

    /** The int8 graph of the spec's weights over its quantisation's ranges, on ONNX Runtime. */
    private static FeatureExtractor quantised(BackboneSpec spec, Path file) throws IOException {
        try (DjlFeatureExtractor reference = javaBlock(spec, file)) {
            byte[] graph = OnnxExport.int8Graph(reference.block(), spec.architecture(), spec.readout(),
                    spec.quantization().orElseThrow());
            return new OnnxRuntimeFeatureExtractor(OnnxRuntimeSession.open(graph, OnnxExport.OUTPUT),
                    reference.backboneId(), reference.pretrained(), spec.featureDim());
        }
    }

    /**
     * The spec's backbone on PyTorch as the Java-built block, whatever engine the spec names and whatever the file's
     * format (TorchScript and ONNX weights are imported into the block, as for the multi-scale readout): the copy
     * that autograd can run backwards through, for Grad-CAM. Same weights, same id as {@link #load}'s.
     *
     * @param seedForRandomInit used only when the spec has no weights (then the same initialisation as {@link #load})
     * @throws IllegalArgumentException when the file's weights do not map onto the architecture's block
     */
    public static DifferentiableBackbone differentiable(BackboneSpec spec, long seedForRandomInit) throws IOException {
        DjlEnvironment.configure();
        DjlFeatureExtractor block = spec.weights().isEmpty() ? randomlyInitialised(spec, seedForRandomInit)
                : javaBlock(spec, spec.weights().get());
        return new DifferentiableBackbone(block, spec);
    }

    /**
     * The id a backbone will report: the architecture, {@code +ms} for the multi-scale readout, ':' and the first 12
     * hex digits of the sha256 of the weights as the Java-built block of the architecture holds them (whatever the
     * file's format: {@code .pt}, {@code .params} and {@code .onnx} of the same weights give the same id; see
     * {@link WeightsIdentity}, also for files whose weights do not map onto the block), or {@code :random}; then
     * {@code -int8-} and the ranges' fingerprint when the spec serves the weights quantised ({@link #id}). Services
     * that must agree on a backbone (training derives its state from it) compute it here, by the one rule. Cached by
     * file content: the first call for a file imports its weights, later ones hash the file.
     */
    public static String backboneId(BackboneSpec spec) throws IOException {
        return spec.weights().isEmpty() ? randomBackboneId(spec)
                : id(spec, WeightsIdentity.of(spec.architecture(), spec.weights().get()));
    }

    /**
     * The id of weights with this hash as the spec serves them: {@code <architecture>[+ms]:<weights hash>}, and
     * {@code -int8-<ranges' fingerprint>} when served quantised (int8 features differ from float ones, so a head
     * trained on one must not serve the other, and the float weights alone do not determine the int8 graph).
     */
    private static String id(BackboneSpec spec, String weightsHash) {
        String id = idPrefix(spec) + ":" + weightsHash;
        return spec.quantization().map(q -> id + "-int8-" + q.fingerprint()).orElse(id);
    }

    /**
     * The id of a backbone whose {@code .params} file would hold these bytes (e.g. the parameters a fine-tuning run
     * produced), by the same rule as {@link #backboneId(BackboneSpec)}.
     */
    public static String backboneId(BackboneArchitecture architecture, FeatureReadout readout, byte[] weights) {
        return architecture.id() + readout.idSuffix() + ":" + WeightsIdentity.of(architecture, weights);
    }

    /** The architecture, then the readout's suffix ({@code mobilenet_v2}, {@code mobilenet_v2+ms}). */
    private static String idPrefix(BackboneSpec spec) {
        return spec.architecture().id() + spec.readout().idSuffix();
    }

    private static String randomBackboneId(BackboneSpec spec) {
        return idPrefix(spec) + ":random";
    }

    private static DjlFeatureExtractor randomlyInitialised(BackboneSpec spec, long seed) throws IOException {
        return javaBlock(spec, randomBackboneId(spec), false, (block, manager) -> {
            block.setInitializer(new SeededInitializer(seed), Parameter.Type.WEIGHT);
            block.initialize(manager, DataType.FLOAT32, BackboneBlock.CANONICAL_INPUT);
        });
    }

    /** How a block of {@link Backbones#build} gets its weights. */
    @FunctionalInterface
    private interface WeightsLoader {
        void load(Block block, NDManager manager) throws IOException;
    }

    /** The Java-built block of the spec's architecture, weights from the loader, frozen; the model closed on failure. */
    private static DjlFeatureExtractor javaBlock(BackboneSpec spec, String backboneId, boolean pretrained,
                                                 WeightsLoader weights) throws IOException {
        Model model = Model.newInstance(spec.architecture().id(), ENGINE);
        try {
            Block block = Backbones.build(spec.architecture());
            weights.load(block, model.getNDManager());
            block.freezeParameters(true);
            model.setBlock(block);
            return new DjlFeatureExtractor(model, spec, backboneId, pretrained);
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /**
     * The file's weights in the Java-built block ({@link BackboneWeights}: TorchScript and ONNX imports check
     * themselves by a forward, DJL parameters by count and shape); its id from the block, remembered for the file.
     */
    private static DjlFeatureExtractor javaBlock(BackboneSpec spec, Path file) throws IOException {
        String fileSha256 = Sha256.hex(file);
        String[] hash = new String[1];
        DjlFeatureExtractor extractor = javaBlock(spec, "pending", true, (block, manager) -> {
            block.initialize(manager, DataType.FLOAT32, BackboneBlock.CANONICAL_INPUT);
            try {
                BackboneWeights.copyInto(block, spec.architecture(), file, manager);
            } catch (EngineException e) {
                throw new IllegalArgumentException("backbone weights " + file + " cannot be read by the engine: "
                        + e.getMessage(), e);
            }
            hash[0] = WeightsIdentity.of(block);
        });
        WeightsIdentity.remember(spec.architecture(), fileSha256, hash[0]);
        return extractor.withBackboneId(id(spec, hash[0]));
    }

    private static FeatureExtractor torchScript(BackboneSpec spec, Path file, String backboneId)
            throws IOException {
        Criteria<NDList, NDList> criteria = Criteria.builder()
                .setTypes(NDList.class, NDList.class)
                .optModelPath(file)
                .optEngine(ENGINE)
                // a module exported on a GPU loads on a CPU-only host, and the other way round
                .optOption("mapLocation", "true")
                .build();
        try {
            ZooModel<NDList, NDList> model = criteria.loadModel();
            // Not probed here: a forward at a shape the batcher never uses would cost TorchScript a re-optimisation;
            // embed checks the output shape instead.
            return new DjlFeatureExtractor(model, spec, backboneId, true);
        } catch (ModelNotFoundException | MalformedModelException | EngineException e) {
            throw new IllegalArgumentException("backbone weights " + file + " are not a loadable TorchScript module"
                    + " (a state_dict is not enough: export with torch.jit.trace or torch.jit.script): "
                    + e.getMessage(), e);
        }
    }

    /** An {@code .onnx} file as it is, on ONNX Runtime (final readout); its id by {@link WeightsIdentity}. */
    private static FeatureExtractor onnxFile(BackboneSpec spec, Path file) throws IOException {
        String backboneId = backboneId(spec);
        OnnxRuntimeSession session = OnnxRuntimeSession.open(file, null);
        try {
            long[] dims = session.inputDims();
            if (dims[0] > 0) {
                throw new IllegalArgumentException("backbone weights " + file + " take a fixed batch of " + dims[0]
                        + " images; export the graph with a dynamic batch axis");
            }
            OnnxRuntimeFeatureExtractor extractor = new OnnxRuntimeFeatureExtractor(session, backboneId, true,
                    spec.featureDim());
            int height = dims[2] > 0 ? (int) dims[2] : PROBE_SIZE;
            int width = dims[3] > 0 ? (int) dims[3] : PROBE_SIZE;
            try {
                extractor.embed(List.of(new GreyImage(width, height, new byte[width * height])), 1);
            } catch (IllegalStateException e) {
                throw new IllegalArgumentException("backbone weights " + file + " do not fit the architecture: "
                        + e.getMessage(), e);
            }
            return extractor;
        } catch (RuntimeException e) {
            session.close();
            throw e;
        }
    }

    /**
     * The block's graph on ONNX Runtime, checked against the block itself on two probe images; the block's model
     * is closed either way (it was needed for the weights, the id and the check).
     */
    private static FeatureExtractor onnxRuntime(DjlFeatureExtractor reference, BackboneSpec spec) {
        try (reference) {
            byte[] graph = OnnxExport.graph(reference.block(), spec.architecture(), spec.readout());
            OnnxRuntimeFeatureExtractor extractor = new OnnxRuntimeFeatureExtractor(
                    OnnxRuntimeSession.open(graph, OnnxExport.OUTPUT), reference.backboneId(), reference.pretrained(),
                    spec.featureDim());
            try {
                List<GreyImage> probe = probeImages();
                double difference = difference(reference.embed(probe, probe.size()), extractor.embed(probe, probe.size()));
                if (difference > EXPORT_TOLERANCE) {
                    throw new IllegalStateException("the ONNX graph written for " + reference.backboneId()
                            + " differs from the block by " + difference + " of the largest feature");
                }
                return extractor;
            } catch (RuntimeException e) {
                extractor.close();
                throw e;
            }
        }
    }

    private static List<GreyImage> probeImages() {
        Random random = new Random(PROBE_SIZE);
        return List.of(0, 1).stream().map(i -> {
            byte[] pixels = new byte[PROBE_SIZE * PROBE_SIZE];
            random.nextBytes(pixels);
            return new GreyImage(PROBE_SIZE, PROBE_SIZE, pixels);
        }).toList();
    }

    private static double difference(float[][] expected, float[][] actual) {
        return FeatureDifference.relativeMax(flat(expected), flat(actual));
    }

    private static float[] flat(float[][] rows) {
        int width = rows.length == 0 ? 0 : rows[0].length;
        float[] flat = new float[rows.length * width];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, flat, i * width, width);
        }
        return flat;
    }

    private static FeatureExtractor log(FeatureExtractor extractor, String format, BackboneSpec spec) {
        if (extractor.pretrained()) {
            LOG.info("backbone.loaded backboneId={} format={} engine={} readout={} featureDim={} device={}",
                    extractor.backboneId(), format, extractor.engine(), spec.readout().id(), extractor.featureDim(),
                    extractor.device());
        } else {
            // Loud on purpose: every service on this backbone produces features of an untrained network.
            LOG.warn("backbone.random backboneId={} engine={} device={}: NO PRETRAINED WEIGHTS CONFIGURED; features"
                    + " come from a seeded random initialisation and the backbone id says so", extractor.backboneId(),
                    extractor.engine(), extractor.device());
        }
        return extractor;
    }
}
