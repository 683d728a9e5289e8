package io.scanstream.model.backbone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import io.scanstream.model.onnx.OnnxModel;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Copies an ONNX backbone's weights into the Java-built block of {@link Backbones} — for the backbone id, the
 * PyTorch engine (fine-tuning, Grad-CAM) and the multi-scale readout. The graph's {@code Conv} and
 * {@code BatchNormalization} nodes, in node order, correspond one to one to the block's convolutions and batch
 * norms: a convolution's weight is copied; where the block's convolution has no bias but the graph's has one (an
 * export with batch norm folded into the convolutions, as PyTorch's exporter writes them), that bias becomes the
 * following batch norm's shift with scale 1, running mean 0 and running variance 1 − eps, as
 * {@link TorchScriptImport} reads the folded TorchScript export; explicit batch norms are copied with their
 * statistics. One forward on both — ONNX Runtime on the file, the block on DJL — checks the result: a graph that
 * computes anything else (other layers, another order, a classifier) is refused, not mistranslated.
 */
public final class OnnxImport {

    private static final double TOLERANCE = 1e-3;
    /** Operators that hold weights a backbone does not have: such a graph is more than a backbone. */
    private static final Set<String> FOREIGN_WEIGHTED = Set.of("Gemm", "MatMul", "ConvTranspose",
            "QLinearConv", "ConvInteger", "QLinearMatMul", "MatMulInteger", "DequantizeLinear");

    private OnnxImport() {
    }

    /**
     * @param block an initialised block of {@code Backbones.build(architecture)}
     * @throws IllegalArgumentException naming the reason when the file is not such a backbone, or when its outputs
     *                                  differ from the block's after the copy
     */
    public static void copyInto(Block block, BackboneArchitecture architecture, Path onnx, NDManager manager)
            throws IOException {
        OnnxModel model = OnnxModel.read(onnx);
        copyInto(block, architecture, model, onnx.toString());
        verify(block, architecture, onnx, manager);
    }

    /** A convolution or batch norm of the graph, with its initializers. */
    private record Layer(String op, String node, List<OnnxModel.Tensor> tensors, float epsilon) {
    }

    private static void copyInto(Block block, BackboneArchitecture architecture, OnnxModel model, String file) {
        List<Layer> layers = layers(model, file);
        List<Parameter> parameters = block.getParameters().values();
        int next = 0;
        float[] pendingBias = null;
        for (int p = 0; p < parameters.size(); ) {
            Parameter parameter = parameters.get(p);
            switch (parameter.getName()) {
                case "weight" -> {
                    if (next >= layers.size() || !layers.get(next).op().equals("Conv")) {
                        throw new IllegalArgumentException(refusal(file, architecture, "the block's convolution "
                                + "(parameter " + p + ") has no counterpart: the graph has "
                                + (next >= layers.size() ? "no more layers" : layers.get(next).op() + " "
                                + layers.get(next).node() + " there")));
                    }
                    Layer conv = layers.get(next++);
                    set(parameter, conv.tensors().get(0), file, architecture);
                    boolean blockBias = p + 1 < parameters.size() && parameters.get(p + 1).getName().equals("bias");
                    OnnxModel.Tensor bias = conv.tensors().size() > 1 ? conv.tensors().get(1) : null;
                    if (blockBias) {
                        Parameter target = parameters.get(p + 1);
                        if (bias == null) {
                            target.getArray().set(new float[(int) target.getArray().size()]);
                        } else {
                            set(target, bias, file, architecture);
                        }
                        p += 2;
                    } else {
                        pendingBias = bias == null ? null : bias.data();
                        p += 1;
                    }
                }
                case "gamma" -> {
                    if (p + 3 >= parameters.size()) {
                        throw new IllegalStateException("a batch norm without its four parameters at " + p);
                    }
                    Parameter gamma = parameters.get(p);
                    Parameter beta = parameters.get(p + 1);
                    Parameter mean = parameters.get(p + 2);
                    Parameter variance = parameters.get(p + 3);
                    int channels = (int) gamma.getArray().size();
                    if (next < layers.size() && layers.get(next).op().equals("BatchNormalization")) {
                        Layer norm = layers.get(next++);
                        set(gamma, norm.tensors().get(0), file, architecture);
                        set(beta, norm.tensors().get(1), file, architecture);
                        float[] runningMean = checked(norm.tensors().get(2), channels, file, architecture);
                        float[] runningVar = checked(norm.tensors().get(3), channels, file, architecture);
                        for (int c = 0; c < channels; c++) {
                            // BN(x + b) = BN'(x) with mean - b; another epsilon moves into the variance
                            runningMean[c] -= pendingBias == null ? 0f : pendingBias[c];
                            runningVar[c] += norm.epsilon() - Backbones.BATCH_NORM_EPSILON;
                        }
                        mean.getArray().set(runningMean);
                        variance.getArray().set(runningVar);
                    } else {
                        float[] ones = new float[channels];
                        Arrays.fill(ones, 1f);
                        gamma.getArray().set(ones);
                        if (pendingBias != null && pendingBias.length != channels) {
                            throw new IllegalArgumentException(refusal(file, architecture, "a convolution bias of "
                                    + pendingBias.length + " values before a batch norm of " + channels));
                        }
                        beta.getArray().set(pendingBias == null ? new float[channels] : pendingBias);
                        TorchScriptImport.identityStatistics(mean.getArray(), variance.getArray());
                    }
                    pendingBias = null;
                    p += 4;
                }
                default -> throw new IllegalArgumentException(refusal(file, architecture, "unexpected block"
                        + " parameter " + parameter.getName()));
            }
        }
        if (next < layers.size()) {
            throw new IllegalArgumentException(refusal(file, architecture, "the graph has " + (layers.size() - next)
                    + " more convolution or batch-norm layers than " + architecture.id() + " (first: "
                    + layers.get(next).node() + ")"));
        }
    }

    /** The graph's convolutions and batch norms in node order, with their weights; refuses anything else weighted. */
    private static List<Layer> layers(OnnxModel model, String file) {
        List<Layer> layers = new ArrayList<>();
        for (OnnxModel.Node node : model.nodes()) {
            String label = node.opType() + " '" + (node.outputs().isEmpty() ? "" : node.outputs().get(0)) + "'";
            if (!node.domain().isEmpty() && !node.domain().equals("ai.onnx")) {
                throw new IllegalArgumentException(file + ": node " + label + " of domain " + node.domain()
                        + " has no counterpart in the project's backbones");
            }
            if (FOREIGN_WEIGHTED.contains(node.opType())) {
                throw new IllegalArgumentException(file + ": node " + label + " has no counterpart in the project's"
                        + " backbones (a classifier or a quantised graph is not a float backbone)");
            }
            switch (node.opType()) {
                case "Conv" -> {
                    long groups = node.attribute("group").map(OnnxModel.Attribute::i).orElse(1L);
                    List<OnnxModel.Tensor> tensors = new ArrayList<>();
                    for (int i = 1; i < node.inputs().size(); i++) {
                        if (!node.inputs().get(i).isEmpty()) {
                            tensors.add(initializer(model, node.inputs().get(i), label, file));
                        }
                    }
                    if (tensors.isEmpty()) {
                        throw new IllegalArgumentException(file + ": " + label + " has no weight initializer");
                    }
                    if (groups < 1) {
                        throw new IllegalArgumentException(file + ": " + label + " has group " + groups);
                    }
                    layers.add(new Layer("Conv", label, tensors, 0f));
                }
                case "BatchNormalization" -> {
                    List<OnnxModel.Tensor> tensors = new ArrayList<>();
                    for (int i = 1; i <= 4; i++) {
                        tensors.add(initializer(model, node.inputs().get(i), label, file));
                    }
                    float epsilon = node.attribute("epsilon").map(OnnxModel.Attribute::f).orElse(1e-5f);
                    layers.add(new Layer("BatchNormalization", label, tensors, epsilon));
                }
                default -> {
                }
            }
        }
        return layers;
    }

    private static OnnxModel.Tensor initializer(OnnxModel model, String name, String node, String file) {
        OnnxModel.Tensor tensor = model.initializers().get(name);
        if (tensor == null) {
            throw new IllegalArgumentException(file + ": input '" + name + "' of " + node + " is computed, not an"
                    + " initializer; only graphs with constant weights can be imported");
        }
        if (tensor.dataType() != OnnxModel.FLOAT) {
            throw new IllegalArgumentException(file + ": initializer '" + name + "' of " + node + " has element type "
                    + tensor.dataType() + ", not float32");
        }
        return tensor;
    }

    private static void set(Parameter target, OnnxModel.Tensor source, String file, BackboneArchitecture architecture) {
        Shape expected = target.getArray().getShape();
        if (!Arrays.equals(expected.getShape(), source.dims())) {
            throw new IllegalArgumentException(refusal(file, architecture, "initializer '" + source.name()
                    + "' has shape " + Arrays.toString(source.dims()) + " where the block's " + target.getName()
                    + " has " + expected));
        }
        target.getArray().set(source.data());
    }

    private static float[] checked(OnnxModel.Tensor tensor, int channels, String file,
                                   BackboneArchitecture architecture) {
        if (tensor.data().length != channels) {
            throw new IllegalArgumentException(refusal(file, architecture, "batch-norm statistics '" + tensor.name()
                    + "' of " + tensor.data().length + " channels where the block has " + channels));
        }
        return tensor.data().clone();
    }

    private static String refusal(String file, BackboneArchitecture architecture, String reason) {
        return file + " does not map onto the " + architecture.id() + " backbone: " + reason;
    }

    /** ONNX Runtime on the file and the block on DJL, on the same random input at the graph's declared size. */
    private static void verify(Block block, BackboneArchitecture architecture, Path file, NDManager manager) {
        try (OnnxRuntimeSession session = OnnxRuntimeSession.open(file, null);
             NDManager probe = manager.newSubManager()) {
            long[] declared = session.inputDims();
            long height = declared[2] > 0 ? declared[2] : 64;
            long width = declared[3] > 0 ? declared[3] : 64;
            long batch = declared[0] > 0 ? declared[0] : 2;
            Shape shape = new Shape(batch, 3, height, width);
            NDArray input = probe.randomUniform(-2f, 2f, shape);
            float[] expected = block.forward(new ParameterStore(probe, false), new NDList(input), false)
                    .singletonOrThrow().toFloatArray();
            long[][] outputShape = new long[1][];
            float[] actual = session.run(FloatBuffer.wrap(input.toFloatArray()), shape.getShape(), outputShape);
            if (actual.length != expected.length) {
                throw new IllegalArgumentException(refusal(file.toString(), architecture, "its output "
                        + Arrays.toString(outputShape[0]) + " is not the block's " + expected.length / batch
                        + " features per image"));
            }
            double difference = FeatureDifference.relativeMax(expected, actual);
            if (difference > TOLERANCE) {
                throw new IllegalArgumentException(refusal(file.toString(), architecture, "after the copy the block's"
                        + " features differ from the graph's by " + difference + " of the largest feature (more"
                        + " than " + TOLERANCE + "): the graph computes something else"));
            }
        }
    }
}
