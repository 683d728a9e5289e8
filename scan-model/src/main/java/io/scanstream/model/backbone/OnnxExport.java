package io.scanstream.model.backbone;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import io.scanstream.model.DjlEnvironment;
import io.scanstream.model.onnx.OnnxGraphWriter;
import io.scanstream.model.onnx.OnnxGraphWriter.Attribute;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Writes a Java-built backbone ({@link Backbones#build}) with its current weights as an ONNX graph, so that ONNX
 * Runtime can run any backbone the project can load — a fine-tuned {@code .params} file included — and read it
 * out at every stage: the graph's one output {@value #OUTPUT} is the readout's feature vector ({@code [N, 1280]}
 * final, {@code [N, 1952]} multi-scale for MobileNetV2). The graph mirrors the builders layer for layer (DJL
 * blocks do not say which function a lambda layer applies), taking the block's parameters in their order and
 * checking each one's name; batch norm stays a node with its statistics (ONNX Runtime fuses it into the
 * convolution), so that importing the graph again gives back exactly the same parameters. A mistake in the mirror
 * shows as a difference in the outputs, which every caller checks by running both ({@link FeatureExtractors}).
 */
public final class OnnxExport {

    public static final String INPUT = "input";
    public static final String OUTPUT = "features";
    private static final String PRODUCER = "scanstream";

    private final OnnxGraphWriter graph;
    private final Iterator<Parameter> parameters;
    private final boolean foldBatchNorm;
    private int parameterIndex;
    private int initializers;
    private String clipMin;
    private String clipMax;

    private OnnxExport(BackboneArchitecture architecture, Block block, boolean foldBatchNorm) {
        this.graph = new OnnxGraphWriter(architecture.id());
        this.parameters = block.getParameters().values().iterator();
        this.foldBatchNorm = foldBatchNorm;
    }

    /**
     * Writes the spec's weights (any {@link WeightsFormat}: e.g. a fine-tuned {@code .params}) as an ONNX graph
     * file with the final readout — input {@value #INPUT} {@code [batch, 3, height, width]}, output {@value #OUTPUT}
     * {@code [batch, featureDim]} — that {@link FeatureExtractors} serves on ONNX Runtime under the same backbone id
     * (the readout is chosen when it is loaded). Loading the file checks it against the weights' block.
     *
     * @return the backbone id of the weights, which the written file shares
     * @throws IllegalArgumentException when the spec has no weights, or they do not fit the architecture
     */
    public static String write(BackboneSpec spec, Path target) throws IOException {
        Path weights = spec.weights().orElseThrow(() -> new IllegalArgumentException("no weights to export"));
        DjlEnvironment.ensureOffline();
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            Block block = Backbones.build(spec.architecture());
            block.initialize(manager, DataType.FLOAT32, BackboneBlock.CANONICAL_INPUT);
            BackboneWeights.copyInto(block, spec.architecture(), weights, manager);
            Files.write(target, graph(block, spec.architecture(), FeatureReadout.FINAL));
            return spec.architecture().id() + spec.readout().idSuffix() + ":" + WeightsIdentity.of(block);
        }
    }

    /**
     * @param block an initialised block of {@code Backbones.build(architecture)}
     * @return the ONNX model's bytes: input {@value #INPUT} {@code [batch, 3, height, width]}, output {@value #OUTPUT}
     */
    static byte[] graph(Block block, BackboneArchitecture architecture, FeatureReadout readout) {
        return graph(block, architecture, readout, false);
    }

    /**
     * @param foldBatchNorm write each batch norm into the preceding convolution (scaled weight, bias), as PyTorch's
     *                      exporter does: the same features, other parameters (so another backbone id once imported,
     *                      unless the batch norms were identity plus shift already). Serving uses explicit batch norms;
     *                      this form is how such exports are checked ({@link OnnxImport}).
     */
    static byte[] graph(Block block, BackboneArchitecture architecture, FeatureReadout readout, boolean foldBatchNorm) {
        OnnxExport export = new OnnxExport(architecture, block, foldBatchNorm);
        export.graph.input(INPUT, "batch", 3L, "height", "width");
        List<String> children = export.body(architecture, INPUT);
        if (export.parameters.hasNext()) {
            throw new IllegalStateException("the " + architecture.id() + " block has parameters the ONNX graph does"
                    + " not use, from index " + export.parameterIndex);
        }
        String features;
        if (readout == FeatureReadout.FINAL) {
            features = export.pooled(children.get(children.size() - 1), OUTPUT);
        } else {
            List<String> pooled = new ArrayList<>();
            for (Backbones.StageOutput tap : readout.taps(architecture)) {
                pooled.add(export.pooled(children.get(tap.child()), null));
            }
            features = export.graph.node("Concat", pooled, OUTPUT, Attribute.of("axis", 1L));
        }
        export.graph.output(features, "batch", (long) readout.featureDim(architecture));
        return export.graph.toBytes(PRODUCER);
    }

    /** The children of the block before global pooling, in order: each one's output value name. */
    private List<String> body(BackboneArchitecture architecture, String input) {
        List<String> children = new ArrayList<>();
        String x = input;
        switch (architecture) {
            case VGG16, VGG19 -> {
                for (int entry : architecture == BackboneArchitecture.VGG16 ? Backbones.VGG16 : Backbones.VGG19) {
                    if (entry == Backbones.MAX_POOL) {
                        x = graph.node("MaxPool", List.of(x), Attribute.ints("kernel_shape", 2, 2),
                                Attribute.ints("strides", 2, 2));
                        children.add(x);
                    } else {
                        x = conv(x, 3, 1, 1, 1, true);
                        children.add(x);
                        x = graph.node("Relu", List.of(x));
                        children.add(x);
                    }
                }
            }
            case RESNET34 -> {
                x = convBn(x, 7, 2, 3, 1);
                children.add(x); // the convolution
                children.add(x); // its batch norm (one node when folded)
                x = graph.node("Relu", List.of(x));
                children.add(x);
                x = graph.node("MaxPool", List.of(x), Attribute.ints("kernel_shape", 3, 3),
                        Attribute.ints("strides", 2, 2), Attribute.ints("pads", 1, 1, 1, 1));
                children.add(x);
                int inChannels = 64;
                for (int stage = 0; stage < Backbones.RESNET_WIDTHS.length; stage++) {
                    int width = Backbones.RESNET_WIDTHS[stage];
                    for (int i = 0; i < Backbones.RESNET34_BLOCKS[stage]; i++) {
                        x = basicBlock(x, inChannels, width, stage > 0 && i == 0 ? 2 : 1);
                        children.add(x);
                        inChannels = width;
                    }
                }
            }
            case MOBILENET_V2 -> {
                x = convBnRelu6(x, 3, 2, 1);
                children.add(x);
                int inChannels = 32;
                for (int[] setting : Backbones.MOBILENET_V2) {
                    for (int i = 0; i < setting[2]; i++) {
                        x = invertedResidual(x, inChannels, setting[1], i == 0 ? setting[3] : 1, setting[0]);
                        children.add(x);
                        inChannels = setting[1];
                    }
                }
                x = convBnRelu6(x, 1, 1, 1);
                children.add(x);
            }
            default -> throw new IllegalArgumentException("no ONNX graph for " + architecture);
        }
        return children;
    }

    private String basicBlock(String x, int inChannels, int outChannels, int stride) {
        String main = convBn(x, 3, stride, 1, 1);
        main = graph.node("Relu", List.of(main));
        main = convBn(main, 3, 1, 1, 1);
        String shortcut = x;
        if (stride != 1 || inChannels != outChannels) {
            shortcut = convBn(x, 1, stride, 0, 1);
        }
        return graph.node("Relu", List.of(graph.node("Add", List.of(main, shortcut))));
    }

    private String invertedResidual(String x, int inChannels, int outChannels, int stride, int expansion) {
        int hidden = Math.round(inChannels * (float) expansion);
        String y = x;
        if (expansion != 1) {
            y = convBnRelu6(y, 1, 1, 1);
        }
        y = convBnRelu6(y, 3, stride, hidden);
        y = convBn(y, 1, 1, 0, 1);
        return stride == 1 && inChannels == outChannels ? graph.node("Add", List.of(y, x)) : y;
    }

    private String convBnRelu6(String x, int kernel, int stride, int groups) {
        String y = convBn(x, kernel, stride, (kernel - 1) / 2, groups);
        if (clipMin == null) {
            clipMin = graph.initializer("relu6_min", new long[0], new float[] {0f});
            clipMax = graph.initializer("relu6_max", new long[0], new float[] {6f});
        }
        return graph.node("Clip", List.of(y, clipMin, clipMax));
    }

    private String conv(String x, int kernel, int stride, int padding, int groups, boolean bias) {
        List<String> inputs = new ArrayList<>(List.of(x, initializer(next("weight"))));
        if (bias) {
            inputs.add(initializer(next("bias")));
        }
        return convNode(inputs, kernel, stride, padding, groups);
    }

    private String convNode(List<String> inputs, int kernel, int stride, int padding, int groups) {
        return graph.node("Conv", inputs, Attribute.ints("kernel_shape", kernel, kernel),
                Attribute.ints("strides", stride, stride), Attribute.ints("pads", padding, padding, padding, padding),
                Attribute.ints("dilations", 1, 1), Attribute.of("group", (long) groups));
    }

    /** A convolution without bias and its batch norm: two nodes, or one convolution with the norm folded in. */
    private String convBn(String x, int kernel, int stride, int padding, int groups) {
        Parameter weight = next("weight");
        Parameter gamma = next("gamma");
        Parameter beta = next("beta");
        Parameter mean = next("runningMean");
        Parameter variance = next("runningVar");
        if (!foldBatchNorm) {
            String conv = convNode(List.of(x, initializer(weight)), kernel, stride, padding, groups);
            List<String> inputs = List.of(conv, initializer(gamma), initializer(beta), initializer(mean),
                    initializer(variance));
            return graph.node("BatchNormalization", inputs, Attribute.of("epsilon", Backbones.BATCH_NORM_EPSILON));
        }
        float[] w = weight.getArray().toFloatArray();
        float[] g = gamma.getArray().toFloatArray();
        float[] b = beta.getArray().toFloatArray();
        float[] m = mean.getArray().toFloatArray();
        float[] v = variance.getArray().toFloatArray();
        float[] bias = new float[g.length];
        int perChannel = w.length / g.length;
        for (int c = 0; c < g.length; c++) {
            double scale = g[c] / Math.sqrt((double) v[c] + Backbones.BATCH_NORM_EPSILON);
            for (int i = c * perChannel; i < (c + 1) * perChannel; i++) {
                w[i] = (float) (w[i] * scale);
            }
            bias[c] = (float) (b[c] - m[c] * scale);
        }
        String name = "p" + (parameterIndex - 5) + "_folded";
        String foldedWeight = graph.initializer(name + "_weight", weight.getArray().getShape().getShape(), w);
        String foldedBias = graph.initializer(name + "_bias", new long[] {g.length}, bias);
        return convNode(List.of(x, foldedWeight, foldedBias), kernel, stride, padding, groups);
    }

    /** Global average pooling then flattening to {@code [N, C]}; the flattened value gets {@code name} if given. */
    private String pooled(String x, String name) {
        String pooled = graph.node("GlobalAveragePool", List.of(x));
        return name == null ? graph.node("Flatten", List.of(pooled), Attribute.of("axis", 1L))
                : graph.node("Flatten", List.of(pooled), name, Attribute.of("axis", 1L));
    }

    /** The block's next parameter, checking that it is the one the mirror expects. */
    private Parameter next(String expectedName) {
        if (!parameters.hasNext()) {
            throw new IllegalStateException("the block has fewer parameters than the ONNX graph needs (at "
                    + parameterIndex + ", " + expectedName + ")");
        }
        Parameter parameter = parameters.next();
        if (!parameter.getName().equals(expectedName)) {
            throw new IllegalStateException("parameter " + parameterIndex + " is '" + parameter.getName()
                    + "' where the ONNX graph expects '" + expectedName + "'");
        }
        parameterIndex++;
        return parameter;
    }

    private String initializer(Parameter parameter) {
        return graph.initializer("p" + initializers++ + "_" + parameter.getName(),
                parameter.getArray().getShape().getShape(), parameter.getArray().toFloatArray());
    }
}
