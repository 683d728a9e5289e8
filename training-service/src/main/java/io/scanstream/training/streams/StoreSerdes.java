package io.scanstream.training.streams;

import io.scanstream.core.contract.ClinicalLabel;
import io.scanstream.training.domain.TrainingSetEvents.PendingKind;
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
import java.util.Objects;

/**
 * Compact binary values of the topology's state stores (and their changelog topics): a format byte, then the
 * fields; vectors as raw float32. A few bytes of overhead per value instead of JSON's kilobytes per vector; the
 * format byte lets a later version read what this one wrote. Format 3 came with a new application id: no store
 * of the earlier formats is ever read by it; the pending index ({@code pending}, {@code backbones}) came with
 * application id v4, which rebuilds every store from the topics.
 */
public final class StoreSerdes {

    /** The value format of the stores (3: labels, scan facts and per-backbone embeddings kept apart). */
    private static final byte FORMAT = 3;

    /** The latest label of a scan. */
    public record LabelFact(ClinicalLabel label, String labelledBy, OffsetDateTime labelledAt) {
        public LabelFact {
            Objects.requireNonNull(label, "label");
            Objects.requireNonNull(labelledAt, "labelledAt");
        }
    }

    /** What splits group a scan by (its patient pseudonym and origin) and its device; any may be unknown. */
    public record ScanFact(String patient, String origin, String device) {
    }

    /** A scan waiting for its other half, since the record time {@code sinceMillis} (epoch milliseconds). */
    public record PendingFact(PendingKind kind, long sinceMillis) {
        public PendingFact {
            Objects.requireNonNull(kind, "kind");
        }
    }

    public static final Serde<LabelFact> LABEL = serde(StoreSerdes::writeLabel, StoreSerdes::readLabel);
    public static final Serde<ScanFact> SCAN = serde(StoreSerdes::writeScan, StoreSerdes::readScan);
    public static final Serde<float[]> VECTOR = serde(StoreSerdes::writeFloats, StoreSerdes::readFloats);
    public static final Serde<PendingFact> PENDING = serde(StoreSerdes::writePending, StoreSerdes::readPending);
    /** Epoch milliseconds (when a backbone's first embedding arrived). */
    public static final Serde<Long> MILLIS = serde(DataOutputStream::writeLong, DataInputStream::readLong);

    private StoreSerdes() {
    }

    @FunctionalInterface
    private interface Writer<T> {
        void write(DataOutputStream out, T value) throws IOException;
    }

    @FunctionalInterface
    private interface Reader<T> {
        T read(DataInputStream in) throws IOException;
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
                if (format != FORMAT) {
                    throw new SerializationException("unknown store value format " + format);
                }
                return reader.read(in);
            } catch (IOException e) {
                throw new SerializationException(e);
            }
        };
        return Serdes.serdeFrom(serializer, deserializer);
    }

    private static void writeLabel(DataOutputStream out, LabelFact l) throws IOException {
        out.writeByte(l.label().ordinal());
        writeNullable(out, l.labelledBy());
        out.writeUTF(l.labelledAt().toString());
    }

    private static LabelFact readLabel(DataInputStream in) throws IOException {
        return new LabelFact(label(in.readByte()), readNullable(in), OffsetDateTime.parse(in.readUTF()));
    }

    private static void writeScan(DataOutputStream out, ScanFact f) throws IOException {
        writeNullable(out, f.patient());
        writeNullable(out, f.origin());
        writeNullable(out, f.device());
    }

    private static ScanFact readScan(DataInputStream in) throws IOException {
        return new ScanFact(readNullable(in), readNullable(in), readNullable(in));
    }

    private static void writePending(DataOutputStream out, PendingFact p) throws IOException {
        out.writeByte(p.kind().ordinal());
        out.writeLong(p.sinceMillis());
    }

    private static PendingFact readPending(DataInputStream in) throws IOException {
        byte ordinal = in.readByte();
        PendingKind[] kinds = PendingKind.values();
        if (ordinal < 0 || ordinal >= kinds.length) {
            throw new IOException("unknown pending kind ordinal " + ordinal);
        }
        return new PendingFact(kinds[ordinal], in.readLong());
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
