package io.scanstream.model.onnx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The parts of an ONNX model ({@code onnx.proto}'s {@code ModelProto}) that scan-model reads: the default-domain
 * opset, the graph's nodes in order with their attributes, its float initializers and its inputs and outputs.
 * Read with a few lines of protocol-buffer decoding instead of the generated ONNX classes, which no artifact on
 * Maven Central ships for Java. Tensors stored outside the file ({@code external_data}) are refused.
 */
public record OnnxModel(long irVersion, long opset, List<Node> nodes, Map<String, Tensor> initializers,
                        List<ValueInfo> inputs, List<ValueInfo> outputs) {

    /** {@code TensorProto.DataType.FLOAT}. */
    public static final int FLOAT = 1;
    /** {@code TensorProto.DataType.UINT8}: quantised activations. */
    public static final int UINT8 = 2;
    /** {@code TensorProto.DataType.INT8}: quantised weights. */
    public static final int INT8 = 3;
    /** {@code TensorProto.DataType.INT32}: quantised biases. */
    public static final int INT32 = 6;

    public OnnxModel {
        nodes = List.copyOf(nodes);
        initializers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(initializers));
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }

    /** A graph node: operator, input and output value names (an empty input name is an omitted optional one). */
    public record Node(String opType, String domain, List<String> inputs, List<String> outputs,
                       Map<String, Attribute> attributes) {

        public Optional<Attribute> attribute(String name) {
            return Optional.ofNullable(attributes.get(name));
        }
    }

    /** An attribute's scalar and list values (the ones that were set; the others empty). */
    public record Attribute(String name, float f, long i, long[] ints, float[] floats) {
    }

    /**
     * An initializer: name, dimensions, element type and, for {@link #FLOAT} tensors, the values (row-major);
     * {@code data} is null for other element types.
     */
    public record Tensor(String name, long[] dims, int dataType, float[] data) {

        public long elementCount() {
            return Arrays.stream(dims).reduce(1, Math::multiplyExact);
        }
    }

    /** A graph input or output: name and dimensions, -1 where the dimension is symbolic or unknown. */
    public record ValueInfo(String name, long[] dims) {
    }

    public static OnnxModel read(Path file) throws IOException {
        try {
            return read(Files.readAllBytes(file));
        } catch (IllegalArgumentException | java.nio.BufferUnderflowException e) {
            throw new IllegalArgumentException(file + " is not an ONNX model: " + e.getMessage(), e);
        }
    }

    /** @throws IllegalArgumentException when the bytes are not an ONNX model this reader supports */
    public static OnnxModel read(byte[] bytes) {
        ProtoReader model = new ProtoReader(bytes);
        long irVersion = 0;
        long opset = -1;
        ByteBuffer graph = null;
        while (model.next()) {
            switch (model.field()) {
                case 1 -> irVersion = model.varint();
                case 7 -> graph = model.bytes();
                case 8 -> {
                    ProtoReader set = model.message();
                    String domain = "";
                    long version = 0;
                    while (set.next()) {
                        switch (set.field()) {
                            case 1 -> domain = set.string();
                            case 2 -> version = set.varint();
                            default -> set.skip();
                        }
                    }
                    if (domain.isEmpty() || domain.equals("ai.onnx")) {
                        opset = version;
                    }
                }
                default -> model.skip();
            }
        }
        if (graph == null || irVersion == 0) {
            throw new IllegalArgumentException("no ONNX graph (ir_version " + irVersion + ")");
        }
        return readGraph(new ProtoReader(graph), irVersion, opset);
    }

    private static OnnxModel readGraph(ProtoReader graph, long irVersion, long opset) {
        List<Node> nodes = new ArrayList<>();
        Map<String, Tensor> initializers = new LinkedHashMap<>();
        List<ValueInfo> inputs = new ArrayList<>();
        List<ValueInfo> outputs = new ArrayList<>();
        while (graph.next()) {
            switch (graph.field()) {
                case 1 -> nodes.add(readNode(graph.message()));
                case 5 -> {
                    Tensor tensor = readTensor(graph.message());
                    initializers.put(tensor.name(), tensor);
                }
                case 11 -> inputs.add(readValueInfo(graph.message()));
                case 12 -> outputs.add(readValueInfo(graph.message()));
                default -> graph.skip();
            }
        }
        // Since IR version 4 initializers may also be listed as inputs (defaults that can be overridden): not inputs.
        inputs.removeIf(input -> initializers.containsKey(input.name()));
        return new OnnxModel(irVersion, opset, nodes, initializers, inputs, outputs);
    }

    private static Node readNode(ProtoReader node) {
        List<String> inputs = new ArrayList<>();
        List<String> outputs = new ArrayList<>();
        Map<String, Attribute> attributes = new LinkedHashMap<>();
        String opType = "";
        String domain = "";
        while (node.next()) {
            switch (node.field()) {
                case 1 -> inputs.add(node.string());
                case 2 -> outputs.add(node.string());
                case 4 -> opType = node.string();
                case 5 -> {
                    Attribute attribute = readAttribute(node.message());
                    attributes.put(attribute.name(), attribute);
                }
                case 7 -> domain = node.string();
                default -> node.skip();
            }
        }
        return new Node(opType, domain, List.copyOf(inputs), List.copyOf(outputs), Map.copyOf(attributes));
    }

    private static Attribute readAttribute(ProtoReader attribute) {
        String name = "";
        float f = 0;
        long i = 0;
        ProtoReader.LongList ints = new ProtoReader.LongList();
        ProtoReader.FloatList floats = new ProtoReader.FloatList();
        while (attribute.next()) {
            switch (attribute.field()) {
                case 1 -> name = attribute.string();
                case 2 -> f = attribute.fixed32Float();
                case 3 -> i = attribute.varint();
                case 7 -> attribute.floats(floats);
                case 8 -> attribute.int64s(ints);
                default -> attribute.skip();
            }
        }
        return new Attribute(name, f, i, ints.toArray(), floats.toArray());
    }

    private static Tensor readTensor(ProtoReader tensor) {
        String name = "";
        ProtoReader.LongList dims = new ProtoReader.LongList();
        int dataType = 0;
        ByteBuffer raw = null;
        ProtoReader.FloatList floatData = new ProtoReader.FloatList();
        boolean external = false;
        while (tensor.next()) {
            switch (tensor.field()) {
                case 1 -> tensor.int64s(dims);
                case 2 -> dataType = (int) tensor.varint();
                case 4 -> tensor.floats(floatData);
                case 8 -> name = tensor.string();
                case 9 -> raw = tensor.bytes();
                case 14 -> external = tensor.varint() == 1;
                default -> tensor.skip();
            }
        }
        if (external) {
            throw new IllegalArgumentException("initializer '" + name + "' is stored outside the model file"
                    + " (external data); save the model with every tensor inside it");
        }
        long[] shape = dims.toArray();
        float[] data = null;
        if (dataType == FLOAT) {
            long count = Arrays.stream(shape).reduce(1, Math::multiplyExact);
            if (raw != null) {
                data = new float[raw.remaining() / Float.BYTES];
                raw.asFloatBuffer().get(data);
            } else {
                data = floatData.toArray();
            }
            if (data.length != count) {
                throw new IllegalArgumentException("initializer '" + name + "' holds " + data.length
                        + " floats, its dimensions " + Arrays.toString(shape) + " say " + count);
            }
        }
        return new Tensor(name, shape, dataType, data);
    }

    private static ValueInfo readValueInfo(ProtoReader valueInfo) {
        String name = "";
        ProtoReader.LongList dims = new ProtoReader.LongList();
        while (valueInfo.next()) {
            switch (valueInfo.field()) {
                case 1 -> name = valueInfo.string();
                case 2 -> {
                    ProtoReader type = valueInfo.message();
                    while (type.next()) {
                        if (type.field() == 1) { // tensor_type
                            ProtoReader tensorType = type.message();
                            while (tensorType.next()) {
                                if (tensorType.field() == 2) { // shape
                                    ProtoReader shape = tensorType.message();
                                    while (shape.next()) {
                                        if (shape.field() == 1) {
                                            dims.add(dimension(shape.message()));
                                        } else {
                                            shape.skip();
                                        }
                                    }
                                } else {
                                    tensorType.skip();
                                }
                            }
                        } else {
                            type.skip();
                        }
                    }
                }
                default -> valueInfo.skip();
            }
        }
        return new ValueInfo(name, dims.toArray());
    }

    private static long dimension(ProtoReader dimension) {
        long value = -1;
        while (dimension.next()) {
            if (dimension.field() == 1) {
                value = dimension.varint();
            } else {
                dimension.skip();
            }
        }
        return value;
    }
}
