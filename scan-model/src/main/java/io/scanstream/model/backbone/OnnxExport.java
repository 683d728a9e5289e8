package io.scanstream.model.backbone;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import io.scanstream.core.artifact.Quantization;
import io.scanstream.core.imaging.GreyImage;
import io.scanstream.model.onnx.OnnxGraphWriter;
import io.scanstream.model.onnx.OnnxGraphWriter.Attribute;
import io.scanstream.model.onnx.OnnxModel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Writes a Java-built backbone ({@link Backbones#build}) with its current weights as an ONNX graph, so that ONNX
 * Runtime can run any backbone the project can load — a fine-tuned {@code .params} file included — and read it
 * out at every stage: the graph's one output {@value #OUTPUT} is the readout's feature vector ({@code [N, 1280]}
 * final, {@code [N, 1952]} multi-scale for MobileNetV2). The graph mirrors the builders layer for layer (DJL
 * blocks do not say which function a lambda layer applies), taking the block's parameters in their order and
 * checking each one's name; batch norm stays a node with its statistics (ONNX Runtime fuses it into the
 * convolution), so that importing the graph again gives back exactly the same parameters. A mistake in the mirror
 * shows as a difference in the outputs, which every caller checks by running both ({@link FeatureExtractors}).
 *
 * <p>The int8 form ({@link #int8Graph}) is the same graph in ONNX's QDQ format, as ONNX Runtime's own static
 * quantiser writes it: batch norms folded, each convolution's weights int8 per output channel, each activation
 * between layers uint8 per tensor over the range it took on calibration images. ONNX Runtime fuses the
 * quantise/dequantise pairs around a convolution or an addition into its int8 kernels.
 */
public final class OnnxExport {

    public static final String INPUT = "input";
    public static final String OUTPUT = "features";
    /** The calibration graph's one output: each quantised activation's minimum and maximum, {@code [1, 2K]}. */
    static final String RANGES = "ranges";
    private static final String PRODUCER = "scanstream";
    /** uint8 activations: 256 levels. */
    private static final float ACTIVATION_LEVELS = 255f;
    /** int8 weights, symmetric: -127..127 (never -128, so that a weight and its negation are both exact). */
    private static final float WEIGHT_LEVELS = 127f;
    /** MobileNetV2's ReLU6: a quantised range inside [0, 6] makes its Clip redundant, and ONNX Runtime drops it. */
    private static final float RELU6_MAX = 6f;

    /** How the values between layers are written. */
    private enum Mode {
        /** float32, as they are */
        FLOAT,
        /** float32, each one's minimum and maximum also an output ({@link #RANGES}) */
        CALIBRATE,
        /** quantised to uint8 and back (QDQ), over the ranges calibration measured */
        INT8
    }

    private final OnnxGraphWriter graph;
    private final Iterator<Parameter> parameters;
    private final boolean foldBatchNorm;
    private final Mode mode;
    /** INT8: each activation's {minimum, maximum}, in the order the graph meets them. */
    private final float[][] ranges;
    /** CALIBRATE: the activations measured, in that order. */
    private final List<String> taps = new ArrayList<>();
    /** INT8: the scale of each dequantised activation, which a convolution's int32 bias needs. */
    private final Map<String, Float> scales = new HashMap<>();
    private int parameterIndex;
    private int initializers;
    private int activations;
    private String clipMin;
    private String clipMax;

    private OnnxExport(BackboneArchitecture architecture, Block block, boolean foldBatchNorm, Mode mode,
                       float[][] ranges) {
        this.graph = new OnnxGraphWriter(architecture.id());
        this.parameters = block.getParameters().values().iterator();
        this.foldBatchNorm = foldBatchNorm || mode != Mode.FLOAT; // quantised weights are those of the folded form
        this.mode = mode;
        this.ranges = ranges;
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
        return withWeights(spec, block -> {
            Files.write(target, graph(block, spec.architecture(), FeatureReadout.FINAL));
            return spec.architecture().id() + spec.readout().idSuffix() + ":" + WeightsIdentity.of(block);
        });
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
        return new OnnxExport(architecture, block, foldBatchNorm, Mode.FLOAT, null).write(architecture, readout);
    }

    /**
     * Writes the spec's weights as an int8 ONNX graph ({@link #int8Graph}) with the final readout. Its backbone id is
     * the file's own (the weights rule does not reach int8 weights), so training must embed with the same file.
     *
     * @param calibration preprocessed scans whose activation ranges set the quantisation: scans of the training
     *                    side only, never of the split a model is scored on
     */
    public static void writeInt8(BackboneSpec spec, Path target, List<GreyImage> calibration) throws IOException {
        withWeights(spec, block -> Files.write(target, int8Graph(block, spec.architecture(), FeatureReadout.FINAL,
                calibration)));
    }

    private static <T> T withWeights(BackboneSpec spec, BackboneWeights.WithBlock<T> work) throws IOException {
        return BackboneWeights.withBlock(spec.architecture(),
                spec.weights().orElseThrow(() -> new IllegalArgumentException("the spec names no weights")), work);
    }

    /**
     * The block's graph with int8 weights (per output channel, symmetric) and uint8 activations (per tensor, over
     * the minimum and maximum each took on the calibration images, run one at a time through the float graph).
     *
     * @param calibration at least one image; a few dozen of the scans the model will see cover their ranges
     */
    static byte[] int8Graph(Block block, BackboneArchitecture architecture, FeatureReadout readout,
                            List<GreyImage> calibration) {
        return int8Graph(block, architecture, readout, calibrate(block, architecture, readout, calibration));
    }

    /**
     * The block's int8 graph over ranges measured before ({@link #calibrate}): the float weights and the ranges
     * determine it, so any reader of a manifest builds the graph its writer built.
     *
     * @throws IllegalArgumentException when the ranges are not one per activation of this architecture's graph
     */
    static byte[] int8Graph(Block block, BackboneArchitecture architecture, FeatureReadout readout,
                            Quantization quantization) {
        float[][] ranges = quantization.activationRanges();
        OnnxExport int8 = new OnnxExport(architecture, block, true, Mode.INT8, ranges);
        byte[] graph = int8.write(architecture, readout);
        if (int8.activations != ranges.length) {
            throw new IllegalArgumentException(quantization + " has " + ranges.length + " activation ranges; the "
                    + architecture.id() + " graph with the " + readout.id() + " readout has " + int8.activations);
        }
        return graph;
    }

    /**
     * The range ({@code [min, max]}) every activation of the block's graph takes on the calibration images, run one
     * at a time through the float graph.
     *
     * @param calibration at least one image: preprocessed scans of the training side, never of a split being scored
     */
    static Quantization calibrate(Block block, BackboneArchitecture architecture, FeatureReadout readout,
                                  List<GreyImage> calibration) {
        if (calibration.isEmpty()) {
            throw new IllegalArgumentException("no calibration images: the activations' ranges would be unknown");
        }
        OnnxExport calibrating = new OnnxExport(architecture, block, true, Mode.CALIBRATE, null);
        byte[] calibrationGraph = calibrating.write(architecture, readout);
        int count = calibrating.taps.size();
        float[][] ranges = new float[count][];
        for (int i = 0; i < count; i++) {
            ranges[i] = new float[] {Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        }
        try (OnnxRuntimeFeatureExtractor measuring = new OnnxRuntimeFeatureExtractor(
                OnnxRuntimeSession.open(calibrationGraph, RANGES), "calibration", false, 2 * count)) {
            for (GreyImage image : calibration) {
                float[] measured = measuring.embed(List.of(image), 1)[0];
                for (int i = 0; i < count; i++) {
                    ranges[i][0] = Math.min(ranges[i][0], measured[2 * i]);
                    ranges[i][1] = Math.max(ranges[i][1], measured[2 * i + 1]);
                }
            }
        }
        return Quantization.int8(ranges);
    }

    /** Calibration scans enough to cover the activations' ranges (64 kept float32's val AUC; docs/benchmarks.md). */
    public static final int DEFAULT_CALIBRATION_IMAGES = 64;

    /**
     * {@code count} items spread evenly over the list (every k-th: a list whose order mixes sources and classes
     * gives a mixed sample), or all of them when there are fewer.
     */
    public static <T> List<T> calibrationSample(List<T> items, int count) {
        if (count <= 0) {
            throw new IllegalArgumentException("the calibration sample must hold at least one image, not " + count);
        }
        List<T> picked = new ArrayList<>();
        double step = Math.max(1.0, (double) items.size() / count);
        for (double i = 0; i < items.size() && picked.size() < count; i += step) {
            picked.add(items.get((int) i));
        }
        return picked;
    }

    /**
     * The spec's weights' activation ranges on the calibration images ({@link #calibrate}), for a manifest: the
     * spec's readout, whatever its engine.
     */
    public static Quantization calibrate(BackboneSpec spec, List<GreyImage> calibration) throws IOException {
        return withWeights(spec, block -> calibrate(block, spec.architecture(), spec.readout(), calibration));
    }

    private byte[] write(BackboneArchitecture architecture, FeatureReadout readout) {
        graph.input(INPUT, "batch", 3L, "height", "width");
        List<String> children = body(architecture, INPUT);
        if (parameters.hasNext()) {
            throw new IllegalStateException("the " + architecture.id() + " block has parameters the ONNX graph does"
                    + " not use, from index " + parameterIndex);
        }
        if (mode == Mode.CALIBRATE) {
            List<String> extremes = new ArrayList<>();
            for (String tap : taps) {
                for (String reduce : List.of("ReduceMin", "ReduceMax")) {
                    // over every axis, kept: [1, 1, 1, 1] for the one image a run carries, flattened to [1, 1]
                    extremes.add(graph.node("Flatten", List.of(graph.node(reduce, List.of(tap),
                            Attribute.of("keepdims", 1L))), Attribute.of("axis", 1L)));
                }
            }
            graph.node("Concat", extremes, RANGES, Attribute.of("axis", 1L));
            graph.output(RANGES, 1L, (long) extremes.size());
            return graph.toBytes(PRODUCER);
        }
        String features;
        if (readout == FeatureReadout.FINAL) {
            features = pooled(children.get(children.size() - 1), OUTPUT);
        } else {
            List<String> pooled = new ArrayList<>();
            for (Backbones.StageOutput tap : readout.taps(architecture)) {
                pooled.add(pooled(children.get(tap.child()), null));
            }
            features = graph.node("Concat", pooled, OUTPUT, Attribute.of("axis", 1L));
        }
        graph.output(features, "batch", (long) readout.featureDim(architecture));
        return graph.toBytes(PRODUCER);
    }

    /** The children of the block before global pooling, in order: each one's output value name. */
    private List<String> body(BackboneArchitecture architecture, String input) {
        List<String> children = new ArrayList<>();
        String x = activation(input, false);
        switch (architecture) {
            case VGG16, VGG19 -> {
                for (int entry : architecture == BackboneArchitecture.VGG16 ? Backbones.VGG16 : Backbones.VGG19) {
                    if (entry == Backbones.MAX_POOL) {
                        x = activation(graph.node("MaxPool", List.of(x), Attribute.ints("kernel_shape", 2, 2),
                                Attribute.ints("strides", 2, 2)), false);
                        children.add(x);
                    } else {
                        x = conv(x, 3, 1, 1, 1, true);
                        children.add(x);
                        x = activation(graph.node("Relu", List.of(x)), false);
                        children.add(x);
                    }
                }
            }
            case RESNET34 -> {
                x = convBn(x, 7, 2, 3, 1);
                children.add(x); // the convolution
                children.add(x); // its batch norm (one node when folded)
                x = activation(graph.node("Relu", List.of(x)), false);
                children.add(x);
                x = activation(graph.node("MaxPool", List.of(x), Attribute.ints("kernel_shape", 3, 3),
                        Attribute.ints("strides", 2, 2), Attribute.ints("pads", 1, 1, 1, 1)), false);
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
        main = activation(graph.node("Relu", List.of(main)), false);
        main = activation(convBn(main, 3, 1, 1, 1), false);
        String shortcut = x;
        if (stride != 1 || inChannels != outChannels) {
            shortcut = activation(convBn(x, 1, stride, 0, 1), false);
        }
        return activation(graph.node("Relu", List.of(graph.node("Add", List.of(main, shortcut)))), false);
    }

    private String invertedResidual(String x, int inChannels, int outChannels, int stride, int expansion) {
        int hidden = Math.round(inChannels * (float) expansion);
        String y = x;
        if (expansion != 1) {
            y = convBnRelu6(y, 1, 1, 1);
        }
        y = convBnRelu6(y, 3, stride, hidden);
        y = activation(convBn(y, 1, 1, 0, 1), false);
        return stride == 1 && inChannels == outChannels ? activation(graph.node("Add", List.of(y, x)), false) : y;
    }

    private String convBnRelu6(String x, int kernel, int stride, int groups) {
        String y = convBn(x, kernel, stride, (kernel - 1) / 2, groups);
        if (clipMin == null) {
            clipMin = graph.initializer("relu6_min", new long[0], new float[] {0f});
            clipMax = graph.initializer("relu6_max", new long[0], new float[] {6f});
        }
        return activation(graph.node("Clip", List.of(y, clipMin, clipMax)), true);
    }

    /**
     * A value between layers: as it is (float), measured (calibration), or quantised to uint8 over its measured
     * range and dequantised again, which ONNX Runtime folds into the int8 kernels on either side.
     *
     * @param relu6 the value is a ReLU6 output: its range is kept inside [0, 6], so the Clip before it is redundant
     */
    private String activation(String x, boolean relu6) {
        int index = activations++;
        if (mode == Mode.FLOAT) {
            return x;
        }
        if (mode == Mode.CALIBRATE) {
            taps.add(x);
            return x;
        }
        if (index >= ranges.length) {
            throw new IllegalArgumentException("the graph has more activations than the " + ranges.length
                    + " ranges given: they were measured on another architecture or readout");
        }
        float low = Math.min(0f, ranges[index][0]);  // the range must hold an exact zero (padding, ReLU)
        float high = Math.max(0f, ranges[index][1]);
        if (relu6) {
            low = 0f;
            high = Math.min(high, RELU6_MAX);
        }
        float scale = high > low ? (high - low) / ACTIVATION_LEVELS : 1f; // a value that was always 0: any scale
        int zeroPoint = Math.max(0, Math.min(255, Math.round(-low / scale)));
        String scaleName = graph.initializer("a" + index + "_scale", new long[0], new float[] {scale});
        String zeroName = graph.initializer("a" + index + "_zero_point", new long[0], OnnxModel.UINT8,
                new byte[] {(byte) zeroPoint});
        String quantised = graph.node("QuantizeLinear", List.of(x, scaleName, zeroName));
        String dequantised = graph.node("DequantizeLinear", List.of(quantised, scaleName, zeroName));
        scales.put(dequantised, scale);
        return dequantised;
    }

    private String conv(String x, int kernel, int stride, int padding, int groups, boolean bias) {
        Parameter weight = next("weight");
        Parameter biasParameter = bias ? next("bias") : null;
        if (mode == Mode.INT8) {
            float[] b = biasParameter == null ? null : biasParameter.getArray().toFloatArray();
            return convNode(int8Inputs(x, weight.getArray().getShape().getShape(), weight.getArray().toFloatArray(), b),
                    kernel, stride, padding, groups);
        }
        List<String> inputs = new ArrayList<>(List.of(x, initializer(weight)));
        if (biasParameter != null) {
            inputs.add(initializer(biasParameter));
        }
        return convNode(inputs, kernel, stride, padding, groups);
    }

    /**
     * A convolution's inputs in QDQ form: the dequantised input, the weights as int8 per output channel (scale
     * max|w| / 127) and the bias as int32 at the input's scale times the channel's, as ONNX Runtime's int8 kernels
     * take them.
     */
    private List<String> int8Inputs(String x, long[] weightShape, float[] weights, float[] bias) {
        Float inputScale = scales.get(x);
        if (inputScale == null) {
            throw new IllegalStateException("convolution input " + x + " is not a quantised activation");
        }
        int channels = (int) weightShape[0];
        int perChannel = weights.length / channels;
        float[] weightScales = new float[channels];
        byte[] quantised = new byte[weights.length];
        for (int c = 0; c < channels; c++) {
            float max = 0f;
            for (int i = c * perChannel; i < (c + 1) * perChannel; i++) {
                max = Math.max(max, Math.abs(weights[i]));
            }
            weightScales[c] = max > 0f ? max / WEIGHT_LEVELS : 1f;
            for (int i = c * perChannel; i < (c + 1) * perChannel; i++) {
                quantised[i] = (byte) Math.max(-WEIGHT_LEVELS, Math.min(WEIGHT_LEVELS,
                        Math.round(weights[i] / weightScales[c])));
            }
        }
        String name = "w" + initializers++;
        String weight = graph.node("DequantizeLinear", List.of(
                graph.initializer(name + "_int8", weightShape, OnnxModel.INT8, quantised),
                graph.initializer(name + "_scale", new long[] {channels}, weightScales)), Attribute.of("axis", 0L));
        if (bias == null) {
            return List.of(x, weight);
        }
        float[] biasScales = new float[channels];
        ByteBuffer biasInt32 = ByteBuffer.allocate(channels * Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int c = 0; c < channels; c++) {
            biasScales[c] = inputScale * weightScales[c];
            biasInt32.putInt((int) Math.max(Integer.MIN_VALUE + 1L, Math.min(Integer.MAX_VALUE,
                    Math.round((double) bias[c] / biasScales[c]))));
        }
        String biasValue = graph.node("DequantizeLinear", List.of(
                graph.initializer(name + "_bias_int32", new long[] {channels}, OnnxModel.INT32, biasInt32.array()),
                graph.initializer(name + "_bias_scale", new long[] {channels}, biasScales)), Attribute.of("axis", 0L));
        return List.of(x, weight, biasValue);
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
        if (mode == Mode.INT8) {
            return convNode(int8Inputs(x, weight.getArray().getShape().getShape(), w, bias), kernel, stride, padding,
                    groups);
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
