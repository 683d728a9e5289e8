package io.scanstream.training.streams;

import io.scanstream.core.contract.ClinicalLabel;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

import java.time.OffsetDateTime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StoreSerdesTest {

    private static final OffsetDateTime AT = OffsetDateTime.parse("2026-11-25T12:00:00.123+01:00");

    @Test
    void roundTripsEveryStoreValueIncludingAbsentFields() {
        var label = new StoreSerdes.LabelFact(ClinicalLabel.NON_COVID, "dr-b", AT);
        assertThat(roundTrip(StoreSerdes.LABEL, label)).isEqualTo(label);
        var anonymous = new StoreSerdes.LabelFact(ClinicalLabel.COVID, null, AT);
        assertThat(roundTrip(StoreSerdes.LABEL, anonymous)).isEqualTo(anonymous);

        var scan = new StoreSerdes.ScanFact("p-1", "preprint:2020.01.01.1", "/devices/ct-1");
        assertThat(roundTrip(StoreSerdes.SCAN, scan)).isEqualTo(scan);
        var unknown = new StoreSerdes.ScanFact(null, null, null);
        assertThat(roundTrip(StoreSerdes.SCAN, unknown)).isEqualTo(unknown);

        assertThat(roundTrip(StoreSerdes.VECTOR, new float[] {0f, -1.5f, Float.MIN_VALUE, 3.25e7f}))
                .containsExactly(0f, -1.5f, Float.MIN_VALUE, 3.25e7f);

        for (var kind : io.scanstream.training.domain.TrainingSetEvents.PendingKind.values()) {
            var pending = new StoreSerdes.PendingFact(kind, 1_764_000_000_123L);
            assertThat(roundTrip(StoreSerdes.PENDING, pending)).isEqualTo(pending);
        }
        assertThat(roundTrip(StoreSerdes.MILLIS, -1L)).isEqualTo(-1L);
    }

    @Test
    void keepsAn1280WideEmbeddingCompact() {
        byte[] bytes = StoreSerdes.VECTOR.serializer().serialize("t", new float[1280]);

        assertThat(bytes.length).isEqualTo(1 + 4 + 1280 * 4);
    }

    @Test
    void refusesAFormatItDoesNotKnowAndImplausibleVectors() {
        assertThatThrownBy(() -> StoreSerdes.LABEL.deserializer().deserialize("t", new byte[] {9, 0, 0}))
                .isInstanceOf(SerializationException.class).hasMessageContaining("format 9");
        assertThatThrownBy(() -> StoreSerdes.VECTOR.deserializer().deserialize("t", new byte[] {3, 127, 0, 0, 0}))
                .isInstanceOf(SerializationException.class);
        assertThatThrownBy(() -> StoreSerdes.LABEL.deserializer().deserialize("t", new byte[] {3, 42}))
                .isInstanceOf(SerializationException.class);
        assertThatThrownBy(() -> StoreSerdes.PENDING.deserializer().deserialize("t",
                new byte[] {3, 7, 0, 0, 0, 0, 0, 0, 0, 0}))
                .isInstanceOf(SerializationException.class).hasMessageContaining("pending kind");
    }

    private static <T> T roundTrip(Serde<T> serde, T value) {
        return serde.deserializer().deserialize("t", serde.serializer().serialize("t", value));
    }
}
