package io.scanstream.model.onnx;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The protocol-buffer reading and writing of ONNX models, without an engine. */
class OnnxModelTest {

    @Test
    void readsBackWhatTheWriterWrites() {
        OnnxGraphWriter writer = new OnnxGraphWriter("g");
        writer.input("x", "batch", 3L, 8L, 8L);
        String weight = writer.initializer("w", new long[] {4, 3, 1, 1}, sequence(12));
        String conv = writer.node("Conv", List.of("x", weight), OnnxGraphWriter.Attribute.ints("pads", 0, 0, 0, 0),
                OnnxGraphWriter.Attribute.of("group", 1L));
        String norm = writer.node("BatchNormalization", List.of(conv, "s", "b", "m", "v"), "normed",
                OnnxGraphWriter.Attribute.of("epsilon", 1e-3f));
        writer.output(norm, "batch", 4L, 8L, 8L);

        OnnxModel model = OnnxModel.read(writer.toBytes("test"));

        assertThat(model.opset()).isEqualTo(OnnxGraphWriter.OPSET);
        assertThat(model.inputs()).singleElement().satisfies(input -> {
            assertThat(input.name()).isEqualTo("x");
            assertThat(input.dims()).containsExactly(-1, 3, 8, 8);
        });
        assertThat(model.outputs()).singleElement().satisfies(output -> assertThat(output.name()).isEqualTo("normed"));
        assertThat(model.nodes()).extracting(OnnxModel.Node::opType).containsExactly("Conv", "BatchNormalization");
        assertThat(model.nodes().get(0).inputs()).containsExactly("x", "w");
        assertThat(model.nodes().get(0).attribute("pads").orElseThrow().ints()).containsExactly(0, 0, 0, 0);
        assertThat(model.nodes().get(0).attribute("group").orElseThrow().i()).isEqualTo(1);
        assertThat(model.nodes().get(1).attribute("epsilon").orElseThrow().f()).isEqualTo(1e-3f);
        OnnxModel.Tensor tensor = model.initializers().get("w");
        assertThat(tensor.dims()).containsExactly(4, 3, 1, 1);
        assertThat(tensor.dataType()).isEqualTo(OnnxModel.FLOAT);
        assertThat(tensor.data()).containsExactly(sequence(12));
    }

    @Test
    void readsPackedRepeatedFieldsAndFloatDataAsWell() {
        // TensorProto with packed dims [2, 2] (field 1), data_type FLOAT, name "t", float_data packed (field 4)
        byte[] dimsPayload = {2, 2}; // two varints, packed
        ProtoWriter floats = new ProtoWriter().rawFloats(4, new float[] {1f, 2f, 3f, 4f});
        ProtoWriter tensor = new ProtoWriter().bytes(1, dimsPayload).varint(2, OnnxModel.FLOAT).string(8, "t");
        byte[] tensorBytes = concat(tensor.toBytes(), floats.toBytes());
        ProtoWriter graph = new ProtoWriter().bytes(5, tensorBytes);
        byte[] model = new ProtoWriter().varint(1, 8).message(7, graph)
                .message(8, new ProtoWriter().varint(2, 17)).toBytes();

        OnnxModel read = OnnxModel.read(model);

        assertThat(read.opset()).isEqualTo(17);
        assertThat(read.initializers().get("t").dims()).containsExactly(2, 2);
        assertThat(read.initializers().get("t").data()).containsExactly(1f, 2f, 3f, 4f);
    }

    @Test
    void refusesBytesThatAreNotAModelAndTensorsStoredOutsideTheFile() {
        assertThatThrownBy(() -> OnnxModel.read("hello, world".getBytes()))
                .isInstanceOf(IllegalArgumentException.class);
        ProtoWriter external = new ProtoWriter().int64s(1, 2).varint(2, OnnxModel.FLOAT).string(8, "big")
                .varint(14, 1);
        byte[] model = new ProtoWriter().varint(1, 8).message(7, new ProtoWriter().message(5, external)).toBytes();
        assertThatThrownBy(() -> OnnxModel.read(model)).hasMessageContaining("'big' is stored outside the model file");
        ProtoWriter wrongCount = new ProtoWriter().int64s(1, 3).varint(2, OnnxModel.FLOAT).string(8, "short")
                .rawFloats(9, new float[] {1f});
        byte[] truncated = new ProtoWriter().varint(1, 8).message(7, new ProtoWriter().message(5, wrongCount)).toBytes();
        assertThatThrownBy(() -> OnnxModel.read(truncated)).hasMessageContaining("'short' holds 1 floats");
    }

    private static float[] sequence(int n) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = i * 0.5f - 1f;
        }
        return values;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] joined = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, joined, a.length, b.length);
        return joined;
    }
}
