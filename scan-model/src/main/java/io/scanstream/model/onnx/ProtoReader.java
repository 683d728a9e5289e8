package io.scanstream.model.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Reads protocol-buffer messages field by field (the wire format only: varints, fixed 32/64-bit, length-delimited),
 * enough for the few ONNX messages scan-model needs. Nested messages are read by wrapping the field's bytes in a
 * new reader; nothing is copied until a value is asked for.
 */
final class ProtoReader {

    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LENGTH_DELIMITED = 2;
    static final int FIXED32 = 5;

    private final ByteBuffer buffer;
    private int field;
    private int wireType;

    ProtoReader(ByteBuffer message) {
        this.buffer = message.slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    ProtoReader(byte[] message) {
        this(ByteBuffer.wrap(message));
    }

    /** Advances to the next field; false at the end of the message. */
    boolean next() {
        if (!buffer.hasRemaining()) {
            return false;
        }
        long key = readVarint();
        field = (int) (key >>> 3);
        wireType = (int) (key & 7);
        if (field <= 0) {
            throw new IllegalArgumentException("not a protocol-buffer message: field number " + field);
        }
        return true;
    }

    int field() {
        return field;
    }

    int wireType() {
        return wireType;
    }

    long varint() {
        expect(VARINT);
        return readVarint();
    }

    float fixed32Float() {
        expect(FIXED32);
        return buffer.getFloat();
    }

    /** The field's bytes as a view (a nested message, a string, raw data). */
    ByteBuffer bytes() {
        expect(LENGTH_DELIMITED);
        long length = readVarint();
        if (length < 0 || length > buffer.remaining()) {
            throw new IllegalArgumentException("truncated protocol-buffer field " + field + ": " + length
                    + " bytes declared, " + buffer.remaining() + " left");
        }
        ByteBuffer view = buffer.slice().limit((int) length).order(ByteOrder.LITTLE_ENDIAN);
        buffer.position(buffer.position() + (int) length);
        return view;
    }

    ProtoReader message() {
        return new ProtoReader(bytes());
    }

    String string() {
        ByteBuffer view = bytes();
        byte[] text = new byte[view.remaining()];
        view.get(text);
        return new String(text, StandardCharsets.UTF_8);
    }

    /** A repeated int64 field, packed or not: appends this occurrence's values. */
    void int64s(LongList into) {
        if (wireType == LENGTH_DELIMITED) {
            ProtoReader packed = new ProtoReader(bytes());
            while (packed.buffer.hasRemaining()) {
                into.add(packed.readVarint());
            }
        } else {
            into.add(varint());
        }
    }

    /** A repeated float field, packed or not: appends this occurrence's values. */
    void floats(FloatList into) {
        if (wireType == LENGTH_DELIMITED) {
            ByteBuffer packed = bytes();
            while (packed.remaining() >= Float.BYTES) {
                into.add(packed.getFloat());
            }
        } else {
            into.add(fixed32Float());
        }
    }

    void skip() {
        switch (wireType) {
            case VARINT -> readVarint();
            case FIXED64 -> buffer.position(buffer.position() + Long.BYTES);
            case LENGTH_DELIMITED -> bytes();
            case FIXED32 -> buffer.position(buffer.position() + Integer.BYTES);
            default -> throw new IllegalArgumentException("unsupported protocol-buffer wire type " + wireType
                    + " (field " + field + ")");
        }
    }

    private void expect(int type) {
        if (wireType != type) {
            throw new IllegalArgumentException("protocol-buffer field " + field + " has wire type " + wireType
                    + ", expected " + type);
        }
    }

    private long readVarint() {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            byte b = buffer.get();
            value |= (long) (b & 0x7f) << shift;
            if (b >= 0) {
                return value;
            }
        }
        throw new IllegalArgumentException("malformed varint");
    }

    /** A growable long array, for repeated int64 fields. */
    static final class LongList {
        private long[] values = new long[4];
        private int size;

        void add(long value) {
            if (size == values.length) {
                values = java.util.Arrays.copyOf(values, size * 2);
            }
            values[size++] = value;
        }

        long[] toArray() {
            return java.util.Arrays.copyOf(values, size);
        }
    }

    /** A growable float array, for repeated float fields. */
    static final class FloatList {
        private float[] values = new float[16];
        private int size;

        void add(float value) {
            if (size == values.length) {
                values = java.util.Arrays.copyOf(values, size * 2);
            }
            values[size++] = value;
        }

        int size() {
            return size;
        }

        float[] toArray() {
            return java.util.Arrays.copyOf(values, size);
        }
    }
}
