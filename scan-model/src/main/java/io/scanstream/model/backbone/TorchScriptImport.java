package io.scanstream.model.backbone;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.training.ParameterStore;
import io.scanstream.model.DjlEnvironment;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;

/**
 * Copies a TorchScript backbone's weights (e.g. the ImageNet MobileNetV2 export) into the Java-built
 * torchvision-compatible block of scan-model's {@code Backbones}, so that full-network training can fine-tune it
 * (and so that the multi-scale readout can tap its inner blocks; a TorchScript module is inference-only here). The layers correspond one to one and in order (scan-model's
 * equivalence test), so TorchScript parameters map in order: convolution weight (and bias), batch-norm weight and
 * bias. TorchScript exposes no batch-norm statistics; the supported exports fold them into the convolutions (batch
 * norm as identity carrying the folded bias), which the block reproduces with running mean 0 and running variance
 * 1 − eps. One forward on both checks it: an export with real statistics is refused, not silently mistranslated.
 */
public final class TorchScriptImport {

    private static final double TOLERANCE = 1e-3;

    private TorchScriptImport() {
    }

    /**
     * @param block an initialised block of {@code Backbones.build(architecture)}
     * @throws IllegalArgumentException when the file is not such a backbone, or its outputs differ after the copy
     */
    public static void copyInto(Block block, BackboneArchitecture architecture, Path torchScript, NDManager manager)
            throws IOException {
        DjlEnvironment.configure();
        Criteria<NDList, NDList> criteria = Criteria.builder().setTypes(NDList.class, NDList.class)
                .optModelPath(torchScript).optEngine("PyTorch").optOption("mapLocation", "true").build();
        try (ZooModel<NDList, NDList> model = criteria.loadModel()) {
            List<Parameter> source = model.getBlock().getParameters().values();
            Iterator<Parameter> next = source.iterator();
            for (Parameter target : block.getParameters().values()) {
                NDArray array = target.getArray();
                switch (target.getName()) {
                    case "weight", "bias", "gamma", "beta" -> {
                        if (!next.hasNext()) {
                            throw new IllegalArgumentException(torchScript + " has fewer parameters than "
                                    + architecture.id());
                        }
                        NDArray value = next.next().getArray();
                        if (!value.getShape().equals(array.getShape())) {
                            throw new IllegalArgumentException(torchScript + ": parameter of shape " + value.getShape()
                                    + " where " + architecture.id() + " has " + array.getShape());
                        }
                        array.set(value.toFloatArray());
                    }
                    case "runningMean" -> array.set(new float[(int) array.size()]);
                    case "runningVar" -> array.set(identityVariance((int) array.size()));
                    default -> throw new IllegalArgumentException("unexpected parameter " + target.getName());
                }
            }
            if (next.hasNext()) {
                throw new IllegalArgumentException(torchScript + " has more parameters than " + architecture.id());
            }
            verify(block, model, torchScript, manager);
        } catch (ModelNotFoundException | MalformedModelException e) {
            throw new IllegalArgumentException(torchScript + " is not a loadable TorchScript module: "
                    + e.getMessage(), e);
        }
    }

    /**
     * The statistics of a batch norm that a folded export has turned into identity plus shift: running mean 0,
     * running variance 1 − eps (so that {@code sqrt(var + eps)} is 1). The ONNX import writes the same values, so that
     * both formats of one folded backbone give the same parameters, hence the same id.
     */
    static void identityStatistics(NDArray runningMean, NDArray runningVar) {
        runningMean.set(new float[(int) runningMean.size()]);
        runningVar.set(identityVariance((int) runningVar.size()));
    }

    private static float[] identityVariance(int channels) {
        float[] variance = new float[channels];
        java.util.Arrays.fill(variance, 1f - Backbones.BATCH_NORM_EPSILON);
        return variance;
    }

    private static void verify(Block block, ZooModel<NDList, NDList> model, Path file, NDManager manager) {
        try (NDManager probe = manager.newSubManager()) {
            NDArray input = probe.randomUniform(-2f, 2f, new Shape(2, 3, 64, 64));
            float[] expected = model.getBlock().forward(new ParameterStore(probe, false), new NDList(input), false)
                    .singletonOrThrow().toFloatArray();
            float[] actual = block.forward(new ParameterStore(probe, false), new NDList(input), false)
                    .singletonOrThrow().toFloatArray();
            if (expected.length != actual.length) {
                throw new IllegalArgumentException(file + ": the TorchScript module gives " + expected.length
                        + " values for a probe where the imported backbone gives " + actual.length);
            }
            double difference = FeatureDifference.relativeMax(expected, actual);
            if (difference > TOLERANCE) {
                throw new IllegalArgumentException(file + ": the imported backbone's features differ from the"
                        + " TorchScript module's by " + difference + " of the largest feature; only exports with"
                        + " batch norm folded into the convolutions can be imported");
            }
        }
    }
}
