package io.scanstream.review.messaging;

import io.scanstream.core.contract.ClinicalLabel;
import io.scanstream.core.contract.EventCodecs;
import io.scanstream.core.contract.PredictedLabel;
import io.scanstream.core.contract.ScanLabel;
import io.scanstream.core.contract.ScanPrediction;
import io.scanstream.core.contract.ScanPreprocessed;
import io.scanstream.core.imaging.GreyImage;
import io.scanstream.core.imaging.ImageFormat;
import io.scanstream.review.domain.ImageLocation;
import io.scanstream.review.domain.ReviewView;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** What the feeder makes of each topic's records (no broker: records as a consumer would hand them over). */
class ViewFeederTest {

    private static final OffsetDateTime T = OffsetDateTime.of(2026, 12, 1, 9, 0, 0, 0, ZoneOffset.UTC);

    private static ConsumerRecord<String, byte[]> consumed(ProducerRecord<String, byte[]> record, int partition, long offset) {
        ConsumerRecord<String, byte[]> consumed = new ConsumerRecord<>(record.topic(), partition, offset, record.key(),
                record.value());
        record.headers().forEach(h -> consumed.headers().add(h));
        return consumed;
    }

    @Test
    void keepsThePredictionTheDeviceAndTheImagesOffsetAndTheLabelAndSkipsWhatIsNotAnEvent() {
        ReviewView view = new ReviewView(10);
        Map<String, Object> settings = new HashMap<>(ViewFeeder.requiredSettings());
        settings.put("bootstrap.servers", "localhost:1"); // never contacted: apply() is fed directly
        try (ViewFeeder feeder = new ViewFeeder(settings, view, "p", "pre", "l")) {
            feeder.apply(consumed(EventCodecs.PREPROCESSED.toRecord("pre", new ScanPreprocessed("s1",
                    URI.create("/devices/ct-9"), T, null, "sha", ImageFormat.PNG, 512, 512,
                    new GreyImage(224, 224, new byte[224 * 224]))), 1, 42));
            feeder.apply(consumed(EventCodecs.PREDICTED.toRecord("p", new ScanPrediction("s1", PredictedLabel.COVID,
                    0.7, 0.5, "v1", "b", T, T.plusSeconds(1))), 0, 7));
            feeder.apply(consumed(EventCodecs.LABELLED.toRecord("l", new ScanLabel("s1", ClinicalLabel.NON_COVID,
                    "dr", T.plusMinutes(5))), 0, 3));
            feeder.apply(new ConsumerRecord<>("p", 0, 8, "junk", "not an event".getBytes()));

            var row = view.row("s1").orElseThrow();
            assertThat(row.device()).isEqualTo("/devices/ct-9");
            assertThat(row.imageLocation()).isEqualTo(Optional.of(new ImageLocation(1, 42)));
            assertThat(row.probability()).isEqualTo(0.7);
            assertThat(row.label().labelledBy()).isEqualTo("dr");
            assertThat(view.size()).isEqualTo(1);
            assertThat(feeder.invalidRecords()).isEqualTo(1);
        }
    }
}
