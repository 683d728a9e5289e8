package io.scanstream.model.backbone;

import io.scanstream.core.integrity.Sha256;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
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

/**
 * Loads a {@link FeatureExtractor} from a {@link BackboneSpec}. The weights file's extension picks the path:
 * {@code .pt} / {@code .torchscript} is a TorchScript module (e.g. a torchvision backbone exported with ImageNet
 * weights: input {@code [N,3,H,W]}, output {@code [N,featureDim]}); {@code .params} is DJL parameters for the
 * Java-built {@link Backbones} block, either as {@code Model.save} writes them or as a bare
 * {@code Block.saveParameters} stream. Nothing is ever downloaded.
 */
public final class FeatureExtractors {

    private static final Logger LOG = LoggerFactory.getLogger(FeatureExtractors.class);
    private static final String ENGINE = "PyTorch";
    private static final int ID_HASH_CHARS = 12;
    /** The smallest input every architecture accepts (VGG halves it five times). */
    private static final Shape PROBE_INPUT = new Shape(1, 3, 32, 32);
    private static final Shape INITIALISATION_INPUT = new Shape(1, 3, 224, 224);

    private FeatureExtractors() {
    }

    /**
     * @param seedForRandomInit used only when the spec has no weights
     * @throws IOException              when the weights file cannot be read
     * @throws IllegalArgumentException when the file's type is unknown or its contents do not fit the architecture
     */
    public static FeatureExtractor load(BackboneSpec spec, long seedForRandomInit) throws IOException {
        DjlEnvironment.ensureOffline();
        if (spec.weights().isEmpty()) {
            return log(randomlyInitialised(spec, seedForRandomInit), "random", spec);
        }
        Path file = spec.weights().get();
        String backboneId = backboneId(spec);
        return switch (WeightsFormat.of(file)) {
            case TORCHSCRIPT -> spec.readout() == FeatureReadout.FINAL
                    ? log(torchScript(spec, file, backboneId), "torchscript", spec)
                    : log(importedTorchScript(spec, file, backboneId), "torchscript-imported", spec);
            case DJL_PARAMETERS -> log(djlParameters(spec, file, backboneId), "djl-params", spec);
        };
    }

    /**
     * The id a backbone will report, from its spec alone (nothing loaded): the architecture, ':' and the first 12
     * hex digits of the weights file's sha256, or {@code :random}. Services that must agree on a backbone (training
     * derives its state from it) compute it here, by the one rule.
     */
    public static String backboneId(BackboneSpec spec) throws IOException {
        return spec.weights().isEmpty() ? randomBackboneId(spec)
                : idPrefix(spec) + ":" + Sha256.hex(spec.weights().get()).substring(0, ID_HASH_CHARS);
    }

    /**
     * The id of a backbone whose weights file would hold exactly these bytes (e.g. the parameters a fine-tuning run
     * produced), by the same rule as {@link #backboneId(BackboneSpec)}.
     */
    public static String backboneId(BackboneArchitecture architecture, FeatureReadout readout, byte[] weights) {
        return architecture.id() + readout.idSuffix() + ":" + Sha256.hex(weights).substring(0, ID_HASH_CHARS);
    }

    /** The architecture, then the readout's suffix ({@code mobilenet_v2}, {@code mobilenet_v2+ms}). */
    private static String idPrefix(BackboneSpec spec) {
        return spec.architecture().id() + spec.readout().idSuffix();
    }

    private static String randomBackboneId(BackboneSpec spec) {
        return idPrefix(spec) + ":random";
    }

    private static FeatureExtractor randomlyInitialised(BackboneSpec spec, long seed) throws IOException {
        return javaBlock(spec, randomBackboneId(spec), false, (block, manager) -> {
            block.setInitializer(new SeededInitializer(seed), Parameter.Type.WEIGHT);
            block.initialize(manager, DataType.FLOAT32, INITIALISATION_INPUT);
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

    /**
     * A TorchScript export's weights copied into the Java-built block (whose inner stages a readout other than
     * {@code FINAL} needs); {@link TorchScriptImport} checks that both compute the same final features.
     */
    private static FeatureExtractor importedTorchScript(BackboneSpec spec, Path file, String backboneId)
            throws IOException {
        return javaBlock(spec, backboneId, true, (block, manager) -> {
            block.initialize(manager, DataType.FLOAT32, INITIALISATION_INPUT);
            try {
                TorchScriptImport.copyInto(block, spec.architecture(), file, manager);
            } catch (EngineException e) {
                throw new IllegalArgumentException("backbone weights " + file + " are not a loadable TorchScript"
                        + " module: " + e.getMessage(), e);
            }
        });
    }

    private static FeatureExtractor djlParameters(BackboneSpec spec, Path file, String backboneId)
            throws IOException {
        DjlFeatureExtractor extractor = javaBlock(spec, backboneId, true, (block, manager) ->
                Backbones.loadParameters(block, spec.architecture(), file, manager));
        try {
            probe(extractor, file);
            return extractor;
        } catch (RuntimeException e) {
            extractor.close();
            throw e;
        }
    }

    /** Loading does not check parameter shapes against the architecture; one small forward does. */
    private static void probe(DjlFeatureExtractor extractor, Path file) {
        try {
            extractor.probe(PROBE_INPUT);
        } catch (EngineException | IllegalStateException e) {
            throw new IllegalArgumentException("backbone weights " + file + " do not fit the architecture: "
                    + e.getMessage(), e);
        }
    }

    private static FeatureExtractor log(FeatureExtractor extractor, String format, BackboneSpec spec) {
        if (extractor.pretrained()) {
            LOG.info("backbone.loaded backboneId={} format={} readout={} featureDim={} device={}",
                    extractor.backboneId(), format, spec.readout().id(), extractor.featureDim(), extractor.device());
        } else {
            // Loud on purpose: every service on this backbone produces features of an untrained network.
            LOG.warn("backbone.random backboneId={} device={}: NO PRETRAINED WEIGHTS CONFIGURED; features come from"
                    + " a seeded random initialisation and the backbone id says so", extractor.backboneId(), extractor.device());
        }
        return extractor;
    }
}
