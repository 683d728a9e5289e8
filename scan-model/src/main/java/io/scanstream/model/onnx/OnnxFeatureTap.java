package io.scanstream.model.onnx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns an ONNX image classifier into a backbone graph that ScanStream serves as it is (an {@code .onnx} weights file
 * with the final readout). The classifier's outputs are replaced by one, {@value #OUTPUT}
 * {@code [N, channels]}: a global average pool and a flatten of a 4-D tensor the graph already computes (its last
 * convolution's output). Everything else is kept as written, so a quantised graph stays quantised. This is how the
 * ONNX Model Zoo's int8 MobileNetV2 classifier serves as an int8 backbone (docs/benchmarks.md, "int8").
 *
 * <p>{@code java -cp scan-model/target/classes io.scanstream.model.onnx.OnnxFeatureTap CLASSIFIER.onnx TENSOR
 * CHANNELS OUT.onnx}; for {@code mobilenetv2-12-int8.onnx} the tensor is {@code 627} (the dequantised output of its
 * last convolution) and the channels 1280.
 */
public final class OnnxFeatureTap {

    /** The graph output the backbone graph has. */
    public static final String OUTPUT = "features";

    // ModelProto.graph; GraphProto.node, .output; NodeProto.output
    private static final int MODEL_GRAPH = 7;
    private static final int GRAPH_NODE = 1;
    private static final int GRAPH_OUTPUT = 12;
    private static final int NODE_OUTPUT = 2;

    private OnnxFeatureTap() {
    }

    /**
     * @param model    an ONNX model (ModelProto bytes)
     * @param tensor   a 4-D {@code [N, channels, H, W]} float tensor one of its nodes computes
     * @param channels its channel count: the width of the features
     * @throws IllegalArgumentException when no node computes {@code tensor}, when the graph already names a value
     *                                  like the ones added, or when the bytes are not a model
     */
    public static byte[] tap(byte[] model, String tensor, long channels) {
        if (channels < 1) {
            throw new IllegalArgumentException("channels must be >= 1, got " + channels);
        }
        ProtoWriter out = new ProtoWriter();
        boolean graphSeen = false;
        ProtoReader reader = new ProtoReader(model);
        while (reader.next()) {
            if (reader.field() == MODEL_GRAPH) {
                out.bytes(MODEL_GRAPH, tappedGraph(reader.bytes(), tensor, channels));
                graphSeen = true;
            } else {
                copy(reader, out);
            }
        }
        if (!graphSeen) {
            throw new IllegalArgumentException("not an ONNX model: it has no graph");
        }
        return out.toBytes();
    }

    private static byte[] tappedGraph(ByteBuffer graph, String tensor, long channels) {
        String pooled = OUTPUT + "_pooled";
        ProtoWriter out = new ProtoWriter();
        boolean computed = false;
        ProtoReader reader = new ProtoReader(graph);
        while (reader.next()) {
            if (reader.field() == GRAPH_OUTPUT) {
                reader.skip(); // the classifier's outputs go; the features are the only one
                continue;
            }
            if (reader.field() == GRAPH_NODE) {
                ByteBuffer node = reader.bytes();
                for (String output : nodeOutputs(node.duplicate())) {
                    if (output.equals(OUTPUT) || output.equals(pooled)) {
                        throw new IllegalArgumentException("the graph already computes a value named " + output);
                    }
                    computed |= output.equals(tensor);
                }
                byte[] copy = new byte[node.remaining()];
                node.get(copy);
                out.bytes(GRAPH_NODE, copy);
                continue;
            }
            copy(reader, out);
        }
        if (!computed) {
            throw new IllegalArgumentException("no node of the graph computes a tensor named '" + tensor + "'");
        }
        out.message(GRAPH_NODE, node("GlobalAveragePool", tensor, pooled, null));
        out.message(GRAPH_NODE, node("Flatten", pooled, OUTPUT, new ProtoWriter().string(1, "axis").varint(3, 1)
                .varint(20, 2))); // AttributeProto: name, i, type INT
        ProtoWriter shape = new ProtoWriter().message(1, new ProtoWriter().string(2, "N"))
                .message(1, new ProtoWriter().varint(1, channels));
        ProtoWriter tensorType = new ProtoWriter().varint(1, OnnxModel.FLOAT).message(2, shape);
        out.message(GRAPH_OUTPUT, new ProtoWriter().string(1, OUTPUT)
                .message(2, new ProtoWriter().message(1, tensorType)));
        return out.toBytes();
    }

    private static ProtoWriter node(String opType, String input, String output, ProtoWriter attribute) {
        ProtoWriter node = new ProtoWriter().string(1, input).string(2, output).string(3, OUTPUT + "_" + opType)
                .string(4, opType);
        return attribute == null ? node : node.message(5, attribute);
    }

    private static List<String> nodeOutputs(ByteBuffer node) {
        List<String> outputs = new ArrayList<>();
        ProtoReader reader = new ProtoReader(node);
        while (reader.next()) {
            if (reader.field() == NODE_OUTPUT) {
                outputs.add(reader.string());
            } else {
                reader.skip();
            }
        }
        return outputs;
    }

    /** Copies one field as it is (ModelProto and GraphProto hold only varint and length-delimited fields). */
    private static void copy(ProtoReader reader, ProtoWriter out) {
        switch (reader.wireType()) {
            case ProtoReader.VARINT -> out.varint(reader.field(), reader.varint());
            case ProtoReader.LENGTH_DELIMITED -> {
                ByteBuffer value = reader.bytes();
                byte[] copy = new byte[value.remaining()];
                value.get(copy);
                out.bytes(reader.field(), copy);
            }
            default -> throw new IllegalArgumentException("unexpected wire type " + reader.wireType() + " in field "
                    + reader.field() + " of an ONNX model");
        }
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 4) {
            System.err.println("usage: OnnxFeatureTap CLASSIFIER.onnx TENSOR CHANNELS OUT.onnx");
            System.exit(2);
        }
        byte[] tapped = tap(Files.readAllBytes(Path.of(args[0])), args[1], Long.parseLong(args[2]));
        Files.write(Path.of(args[3]), tapped);
        System.out.printf("wrote %s: output %s [N, %s] from tensor %s of %s%n", args[3], OUTPUT, args[2], args[1],
                args[0]);
    }
}
