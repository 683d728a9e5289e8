package io.scanstream.training.streams;

import io.scanstream.core.contract.ClinicalLabel;
import io.scanstream.core.imaging.GreyImage;
import io.scanstream.training.domain.TrainingExample;
import io.scanstream.training.streams.StoredFacts.PendingImage;
import io.scanstream.training.streams.StoredFacts.PendingLabel;
import io.scanstream.training.streams.StoredFacts.UnlabelledEmbedding;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.time.OffsetDateTime;

/**
 * Compact binary values of the topology's state stores (and their changelog topics): a format byte, then the
 * fields; vectors as raw float32, images as raw grey8. A few bytes of overhead per row instead of JSON's
 * kilobytes per vector; the format byte lets a later version read what this one wrote.
 */
public final class StoreSerdes {

    /** 2 added the origin; values of format 1 (no origin) are still read. */
    private static final byte FORMAT = 2;
    private static final byte FORMAT_WITHOUT_ORIGIN = 1;

    public static final Serde<TrainingExample> EXAMPLE = serde(StoreSerdes::writeExample, StoreSerdes::readExample);
    public static final Serde<PendingLabel> PENDING_LABEL = serde(StoreSerdes::writeLabel, StoreSerdes::readLabel);
    public static final Serde<UnlabelledEmbedding> UNLABELLED_EMBEDDING =
            serde(StoreSerdes::writeEmbedding, StoreSerdes::readEmbedding);
    public static final Serde<PendingImage> PENDING_IMAGE = serde(StoreSerdes::writeImage, StoreSerdes::readImage);

    private StoreSerdes() {
    }

    @FunctionalInterface
    private interface Writer<T> {
        void write(DataOutputStream out, T value) throws IOException;
    }

    @FunctionalInterface
    private interface Reader<T> {
        T read(DataInputStream in, byte format) throws IOException;
    }

    private static <T> Serde<T> serde(Writer<T> writer, Reader<T> reader) {
        Serializer<T> serializer = (topic, value) -> {
            if (value == null) {
                return null;
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                out.writeByte(FORMAT);
                writer.write(out, value);
            } catch (IOException e) {
                throw new SerializationException(e);
            }
            return bytes.toByteArray();
        };
        Deserializer<T> deserializer = (topic, data) -> {
            if (data == null) {
                return null;
            }
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
                byte format = in.readByte();
                if (format != FORMAT && format != FORMAT_WITHOUT_ORIGIN) {
                    throw new SerializationException("unknown store value format " + format);
                }
                return reader.read(in, format);
            } catch (IOException e) {
                throw new SerializationException(e);
            }
        };
        return Serdes.serdeFrom(serializer, deserializer);
    }

    private static void writeExample(DataOutputStream out, TrainingExample e) throws IOException {
        out.writeUTF(e.scanId());
        out.writeByte(e.label().ordinal());
        writeNullable(out, e.labelledBy());
        out.writeUTF(e.labelledAt().toString());
        writeNullable(out, e.patient());
        out.writeUTF(e.backboneId());
        writeFloats(out, e.vector());
        writeNullable(out, e.origin());
    }

    private static TrainingExample readExample(DataInputStream in, byte format) throws IOException {
        return new TrainingExample(in.readUTF(), label(in.readByte()), readNullable(in),
                OffsetDateTime.parse(in.readUTF()), readNullable(in), in.readUTF(), readFloats(in),
                format == FORMAT_WITHOUT_ORIGIN ? null : readNullable(in));
    }

    private static void writeLabel(DataOutputStream out, PendingLabel l) throws IOException {
        out.writeByte(l.label().ordinal());
        writeNullable(out, l.labelledBy());
        out.writeUTF(l.labelledAt().toString());
    }

    private static PendingLabel readLabel(DataInputStream in, byte format) throws IOException {
        return new PendingLabel(label(in.readByte()), readNullable(in), OffsetDateTime.parse(in.readUTF()));
    }

    private static void writeEmbedding(DataOutputStream out, UnlabelledEmbedding e) throws IOException {
        writeNullable(out, e.patient());
        writeFloats(out, e.vector());
        writeNullable(out, e.origin());
    }

    private static UnlabelledEmbedding readEmbedding(DataInputStream in, byte format) throws IOException {
        String patient = readNullable(in);
        float[] vector = readFloats(in);
        return new UnlabelledEmbedding(patient, format == FORMAT_WITHOUT_ORIGIN ? null : readNullable(in), vector);
    }

    private static void writeImage(DataOutputStream out, PendingImage i) throws IOException {
        writeNullable(out, i.patient());
        out.writeInt(i.image().width());
        out.writeInt(i.image().height());
        out.write(i.image().pixels());
        writeNullable(out, i.origin());
    }

    private static PendingImage readImage(DataInputStream in, byte format) throws IOException {
        String patient = readNullable(in);
        int width = in.readInt();
        int height = in.readInt();
        byte[] pixels = new byte[Math.multiplyExact(width, height)];
        in.readFully(pixels);
        String origin = format == FORMAT_WITHOUT_ORIGIN ? null : readNullable(in);
        return new PendingImage(patient, origin, new GreyImage(width, height, pixels));
    }

    private static ClinicalLabel label(byte ordinal) throws IOException {
        ClinicalLabel[] labels = ClinicalLabel.values();
        if (ordinal < 0 || ordinal >= labels.length) {
            throw new IOException("unknown label ordinal " + ordinal);
        }
        return labels[ordinal];
    }

    private static void writeNullable(DataOutputStream out, String value) throws IOException {
        out.writeBoolean(value != null);
        if (value != null) {
            out.writeUTF(value);
        }
    }

    private static String readNullable(DataInputStream in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }

    private static void writeFloats(DataOutputStream out, float[] values) throws IOException {
        out.writeInt(values.length);
        for (float v : values) {
            out.writeFloat(v);
        }
    }

    private static float[] readFloats(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > 1 << 20) {
            throw new IOException("implausible vector length " + n);
        }
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = in.readFloat();
        }
        return values;
    }
}
