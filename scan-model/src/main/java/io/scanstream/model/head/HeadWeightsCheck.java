package io.scanstream.model.head;

import ai.djl.ndarray.types.Shape;
import io.scanstream.core.artifact.HeadArchitecture;
import io.scanstream.core.artifact.ModelMetadataCheck;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.List;

/**
 * Checks a head's weights bytes (DJL's parameter format) against the head architecture in plain Java, before DJL
 * reads them: DJL's {@code NDSerializer} allocates native memory of the length an array <em>declares</em> before it
 * reads the data, and {@code Shape.decode} arrays of the dimension count it declares, so a blob declaring a huge
 * length would be allocated before any shape is checked. Here every array record ({@code "NDAR"}) is found in
 * order, its data type, shape and declared length compared with what the architecture implies (float32, the
 * shapes of {@link HeadBlocks#parameterShapes}, 4 bytes per value) and its data skipped without allocating; the
 * block metadata between records is bounded ({@value #MAX_GAP_BYTES} bytes each), and the whole blob must be the
 * parameters' bytes plus that bounded overhead.
 */
public final class HeadWeightsCheck {

    /** Block metadata between two arrays (versions, input shapes, names): a few dozen bytes in practice. */
    static final int MAX_GAP_BYTES = 4096;
    private static final byte[] MAGIC = {0, 4, 'N', 'D', 'A', 'R'}; // writeUTF("NDAR")
    private static final int MAX_DIMS = 8;

    private HeadWeightsCheck() {
    }

    /** @throws IllegalArgumentException naming the first problem */
    public static void check(HeadArchitecture architecture, byte[] weights) {
        List<String> problems = ModelMetadataCheck.problems(architecture);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("head " + architecture.describe() + ": " + String.join("; ", problems));
        }
        List<Shape> expected = HeadBlocks.parameterShapes(architecture);
        long dataBytes = ModelMetadataCheck.parameterCount(architecture) * Float.BYTES;
        long maxBytes = dataBytes + (long) (expected.size() + 1) * MAX_GAP_BYTES;
        if (weights.length < dataBytes || weights.length > maxBytes) {
            throw new IllegalArgumentException("weights of " + weights.length + " bytes, a head "
                    + architecture.describe() + " takes " + dataBytes + " bytes of parameters (at most " + maxBytes
                    + " with DJL's framing)");
        }
        int position = 0;
        for (int i = 0; i < expected.size(); i++) {
            int record = indexOf(weights, position, Math.min(weights.length, position + MAX_GAP_BYTES + MAGIC.length));
            if (record < 0) {
                throw new IllegalArgumentException("weights: parameter " + i + " of " + expected.size()
                        + " not found within " + MAX_GAP_BYTES + " bytes");
            }
            position = array(weights, record, expected.get(i), i);
        }
        if (weights.length - position > MAX_GAP_BYTES) {
            throw new IllegalArgumentException("weights: " + (weights.length - position)
                    + " bytes after the last parameter");
        }
    }

    /** Checks the array record at {@code start}; returns the position after its data. */
    private static int array(byte[] weights, int start, Shape expected, int index) {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(weights, start, weights.length - start));
        try {
            in.readUTF(); // NDAR
            int version = in.readInt();
            if (version < 1 || version > 3) {
                throw problem(index, "array encoding version " + version);
            }
            if (version > 1 && in.readByte() == 1) {
                in.readUTF(); // name (bounded by the blob: writeUTF's 16-bit length)
            }
            in.readUTF(); // sparse format
            String dataType = in.readUTF();
            if (!"FLOAT32".equalsIgnoreCase(dataType)) {
                throw problem(index, "data type " + dataType + ", float32 expected");
            }
            int dims = in.readInt();
            if (dims != expected.dimension() || dims > MAX_DIMS) {
                throw problem(index, dims + " dimensions, " + expected.dimension() + " expected");
            }
            long[] shape = new long[dims];
            for (int d = 0; d < dims; d++) {
                shape[d] = in.readLong();
            }
            if (!new Shape(shape).equals(new Shape(expected.getShape()))) {
                throw problem(index, "shape " + new Shape(shape) + ", " + expected + " expected");
            }
            int layoutLength = in.readInt();
            if (layoutLength < 0 || layoutLength > MAX_DIMS) {
                throw problem(index, "layout of " + layoutLength + " characters");
            }
            in.skipBytes(layoutLength * 2);
            if (version > 2) {
                in.readByte(); // byte order
            }
            int length = in.readInt();
            long expectedLength = expected.size() * Float.BYTES;
            if (length != expectedLength) {
                throw problem(index, "declares " + length + " bytes of data, shape " + expected + " takes "
                        + expectedLength);
            }
            int dataStart = weights.length - in.available();
            if ((long) dataStart + length > weights.length) {
                throw problem(index, "declares " + length + " bytes of data, " + (weights.length - dataStart)
                        + " remain");
            }
            return dataStart + length;
        } catch (IOException e) {
            throw problem(index, "truncated (" + e + ")");
        }
    }

    private static IllegalArgumentException problem(int index, String detail) {
        return new IllegalArgumentException("weights: parameter " + index + ": " + detail);
    }

    private static int indexOf(byte[] bytes, int from, int to) {
        outer:
        for (int i = from; i <= to - MAGIC.length; i++) {
            for (int j = 0; j < MAGIC.length; j++) {
                if (bytes[i + j] != MAGIC[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
