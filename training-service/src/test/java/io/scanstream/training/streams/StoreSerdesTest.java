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
                new StoredFacts.UnlabelledEmbedding("p-1", new float[] {1, 2, 3}));
        assertThat(embedding.patient()).isEqualTo("p-1");
        assertThat(embedding.vector()).containsExactly(1, 2, 3);

        GreyImage image = new GreyImage(3, 2, new byte[] {0, 1, 2, (byte) 253, (byte) 254, (byte) 255});
        var pending = roundTrip(StoreSerdes.PENDING_IMAGE, new StoredFacts.PendingImage(null, image));
        assertThat(pending.image()).isEqualTo(image);
        assertThat(pending.patient()).isNull();
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
