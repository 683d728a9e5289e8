package io.scanstream.model.onnx;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Builds an ONNX model ({@code ModelProto}, default domain) node by node: float32 initializers (integer ones for
 * quantised graphs), nodes with int, ints and float attributes, tensor inputs and outputs whose dimensions are
 * numbers or symbolic names. Writes the protocol-buffer bytes that ONNX Runtime loads; the graph's correctness is
 * the caller's, checked by running it.
 */
public final class OnnxGraphWriter {

    /** What the graphs written here need: Clip with min/max as inputs (11), opset 13's BatchNormalization. */
    public static final int OPSET = 13;
    /** The IR version of ONNX 1.8, the release that introduced opset 13. */
    private static final int IR_VERSION = 7;

    private final String graphName;
    private final List<ProtoWriter> nodes = new ArrayList<>();
    private final List<ProtoWriter> initializers = new ArrayList<>();
    private final List<ProtoWriter> inputs = new ArrayList<>();
    private final List<ProtoWriter> outputs = new ArrayList<>();
    private final Set<String> names = new HashSet<>();
    private int nextId;

    public OnnxGraphWriter(String graphName) {
        this.graphName = graphName;
    }

    /** A node attribute: a name and one int, a list of ints or one float. */
    public static final class Attribute {
        private final ProtoWriter proto;

        private Attribute(ProtoWriter proto) {
            this.proto = proto;
        }

        public static Attribute of(String name, long value) {
            return new Attribute(new ProtoWriter().string(1, name).varint(20, 2).varint(3, value));
        }

        public static Attribute of(String name, float value) {
            return new Attribute(new ProtoWriter().string(1, name).varint(20, 1).fixed32Float(2, value));
        }

        public static Attribute ints(String name, long... values) {
            return new Attribute(new ProtoWriter().string(1, name).varint(20, 7).int64s(8, values));
        }
    }

    /** A float32 initializer; returns its name. */
    public String initializer(String name, long[] dims, float[] values) {
        claim(name);
        initializers.add(new ProtoWriter().int64s(1, dims).varint(2, OnnxModel.FLOAT).string(8, name)
                .rawFloats(9, values));
        return name;
    }

    /**
     * An initializer of another element type ({@link OnnxModel#UINT8}, {@link OnnxModel#INT8},
     * {@link OnnxModel#INT32}, ...) from its little-endian bytes; returns its name.
     */
    public String initializer(String name, long[] dims, int dataType, byte[] littleEndianData) {
        claim(name);
        initializers.add(new ProtoWriter().int64s(1, dims).varint(2, dataType).string(8, name)
                .bytes(9, littleEndianData));
        return name;
    }

    /** A node with a fresh output name derived from its operator; returns that name. */
    public String node(String opType, List<String> inputNames, Attribute... attributes) {
        String output = opType.toLowerCase(java.util.Locale.ROOT) + "_" + nextId++;
        return node(opType, inputNames, output, attributes);
    }

    /** A node writing the given output name; returns it. */
    public String node(String opType, List<String> inputNames, String output, Attribute... attributes) {
        claim(output);
        ProtoWriter node = new ProtoWriter();
        for (String input : inputNames) {
            node.string(1, input);
        }
        node.string(2, output).string(3, output + "_node").string(4, opType);
        for (Attribute attribute : attributes) {
            node.message(5, attribute.proto);
        }
        nodes.add(node);
        return output;
    }

    /** A float32 graph input; each dimension a {@code Long} (fixed) or a {@code String} (symbolic). */
    public void input(String name, Object... dims) {
        claim(name);
        inputs.add(valueInfo(name, dims));
    }

    /** Declares an existing value as a float32 graph output. */
    public void output(String name, Object... dims) {
        outputs.add(valueInfo(name, dims));
    }

    public byte[] toBytes(String producer) {
        ProtoWriter graph = new ProtoWriter();
        nodes.forEach(node -> graph.message(1, node));
        graph.string(2, graphName);
        initializers.forEach(tensor -> graph.message(5, tensor));
        inputs.forEach(input -> graph.message(11, input));
        outputs.forEach(output -> graph.message(12, output));
        return new ProtoWriter().varint(1, IR_VERSION).string(2, producer).message(7, graph)
                .message(8, new ProtoWriter().string(1, "").varint(2, OPSET)).toBytes();
    }

    private void claim(String name) {
        if (!names.add(name)) {
            throw new IllegalArgumentException("ONNX value name used twice: " + name);
        }
    }

    private static ProtoWriter valueInfo(String name, Object... dims) {
        ProtoWriter shape = new ProtoWriter();
        for (Object dim : dims) {
            ProtoWriter dimension = new ProtoWriter();
            if (dim instanceof Number n) {
                dimension.varint(1, n.longValue());
            } else {
                dimension.string(2, dim.toString());
            }
            shape.message(1, dimension);
        }
        ProtoWriter tensorType = new ProtoWriter().varint(1, OnnxModel.FLOAT).message(2, shape);
        return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, tensorType));
    }
}
