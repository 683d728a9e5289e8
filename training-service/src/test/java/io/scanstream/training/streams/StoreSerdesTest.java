package io.scanstream.training.streams;

import io.scanstream.core.contract.ClinicalLabel;
import io.scanstream.core.imaging.GreyImage;
import io.scanstream.training.domain.TrainingExample;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

import java.time.OffsetDateTime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StoreSerdesTest {

    private static final OffsetDateTime AT = OffsetDateTime.parse("2026-11-25T12:00:00.123+01:00");

    @Test
    void roundTripsEveryStoreValueIncludingAbsentPatientAndClinician() {
        TrainingExample row = new TrainingExample("s1", ClinicalLabel.COVID, null, AT, null, "resnet34:random",
                new float[] {0f, -1.5f, Float.MIN_VALUE, 3.25e7f});
        assertThat(roundTrip(StoreSerdes.EXAMPLE, row)).isEqualTo(row);

        var label = new StoredFacts.PendingLabel(ClinicalLabel.NON_COVID, "dr-b", AT);
        assertThat(roundTrip(StoreSerdes.PENDING_LABEL, label)).isEqualTo(label);

        var embedding = roundTrip(StoreSerdes.UNLABELLED_EMBEDDING,
                new StoredFacts.UnlabelledEmbedding("p-1", "preprint:2020.01.01.1", new float[] {1, 2, 3}));
        assertThat(embedding.patient()).isEqualTo("p-1");
        assertThat(embedding.origin()).isEqualTo("preprint:2020.01.01.1");
        assertThat(embedding.vector()).containsExactly(1, 2, 3);

        GreyImage image = new GreyImage(3, 2, new byte[] {0, 1, 2, (byte) 253, (byte) 254, (byte) 255});
        var pending = roundTrip(StoreSerdes.PENDING_IMAGE, new StoredFacts.PendingImage(null, null, image));
        assertThat(pending.image()).isEqualTo(image);
        assertThat(pending.patient()).isNull();
        assertThat(pending.origin()).isNull();

        TrainingExample withOrigin = new TrainingExample("s2", ClinicalLabel.NON_COVID, "dr-c", AT, "p-2",
                "resnet34:random", new float[] {1}, "site:a");
        assertThat(roundTrip(StoreSerdes.EXAMPLE, withOrigin)).isEqualTo(withOrigin);
    }

    @Test
    void readsRowsWrittenBeforeOriginsExisted() {
        // format 1: the row as the previous release wrote it (no origin field)
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.DataOutputStream out = new java.io.DataOutputStream(bytes)) {
            out.writeByte(1);
            out.writeUTF("old-1");
            out.writeByte(ClinicalLabel.COVID.ordinal());
            out.writeBoolean(false);
            out.writeUTF(AT.toString());
            out.writeBoolean(false);
            out.writeUTF("resnet34:random");
            out.writeInt(1);
            out.writeFloat(2.5f);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }

        TrainingExample row = StoreSerdes.EXAMPLE.deserializer().deserialize("t", bytes.toByteArray());

        assertThat(row.scanId()).isEqualTo("old-1");
        assertThat(row.vector()).containsExactly(2.5f);
        assertThat(row.origin()).isNull();
    }

    @Test
    void keepsAn1280WideEmbeddingCompact() {
        byte[] bytes = StoreSerdes.EXAMPLE.serializer().serialize("t", new TrainingExample("scan-1",
                ClinicalLabel.COVID, "dr-a", AT, "p-0123456789abcdef0123456789abcdef", "mobilenet_v2:5f7ccb5c0a1b",
                new float[1280]));

        assertThat(bytes.length).isLessThan(1280 * 4 + 200);
    }

    @Test
    void refusesAFormatItDoesNotKnow() {
        assertThatThrownBy(() -> StoreSerdes.EXAMPLE.deserializer().deserialize("t", new byte[] {9, 0, 0}))
                .isInstanceOf(SerializationException.class).hasMessageContaining("format 9");
    }

    private static <T> T roundTrip(org.apache.kafka.common.serialization.Serde<T> serde, T value) {
        return serde.deserializer().deserialize("t", serde.serializer().serialize("t", value));
    }
}
