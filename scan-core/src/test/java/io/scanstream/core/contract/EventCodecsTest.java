package io.scanstream.core.contract;

import io.scanstream.core.artifact.BackboneManifest;
import io.scanstream.core.artifact.EpochMetrics;
import io.scanstream.core.artifact.HeadArchitecture;
import io.scanstream.core.artifact.ModelArtifact;
import io.scanstream.core.artifact.ModelMetadata;
import io.scanstream.core.artifact.ModelMetrics;
import io.scanstream.core.artifact.Quantization;
import io.scanstream.core.artifact.ScanSet;
import io.scanstream.core.imaging.GreyImage;
import io.scanstream.core.imaging.ImageFormat;
import io.scanstream.core.integrity.Sha256;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventCodecsTest {

    private static final OffsetDateTime T = OffsetDateTime.of(2026, 11, 25, 9, 30, 0, 0, ZoneOffset.UTC);

    @Test
    void aBackboneManifestCarriesItsInt8RangesAndAnOlderManifestReadsAsFloat() {
        BackboneManifest manifest = new BackboneManifest("mobilenet_v2:0123456789ab-int8-ba9876543210", "mobilenet_v2",
                "final", BackboneManifest.DJL_PARAMETERS, 10, "ab".repeat(32), 4, 3, T, "run-1", "mobilenet_v2:random",
                ScanSet.of(List.of("s1", "s2")), Quantization.int8(new float[][] {{0f, 6f}, {-1.5f, 3.25e-7f}}));
        ProducerRecord<String, byte[]> record = EventCodecs.BACKBONE_MANIFEST.toRecord(Topics.MODELS_BACKBONES,
                manifest);

        assertThat(record.key()).isEqualTo("mobilenet_v2:0123456789ab-int8-ba9876543210/manifest");
        BackboneManifest read = EventCodecs.BACKBONE_MANIFEST.fromRecord(Records.delivered(record));
        assertThat(read).isEqualTo(manifest);
        assertThat(read.servedQuantised()).contains(manifest.quantization());

        // written before quantisation existed: no field, served as the float weights are
        String older = new String(record.value(), StandardCharsets.UTF_8).replaceAll(",\"quantization\":\\{.*\\}\\}", "}");
        assertThat(older).doesNotContain("quantization");
        ProducerRecord<String, byte[]> olderRecord = new ProducerRecord<>(record.topic(), null, record.key(),
                older.getBytes(StandardCharsets.UTF_8), record.headers());
        assertThat(EventCodecs.BACKBONE_MANIFEST.fromRecord(Records.delivered(olderRecord)).servedQuantised())
                .isEmpty();
    }

    @Test
    void scanArrivedRoundTripsInBinaryMode() {
        ScanArrived event = new ScanArrived("scan-1", URI.create("/devices/ct-7"), T, "MRN-0042", "image/png",
                new byte[] {1, 2, 3});
        ProducerRecord<String, byte[]> record = EventCodecs.ARRIVED.toRecord(Topics.SCANS_ARRIVED, event);

        assertThat(record.key()).isEqualTo("scan-1");
        assertThat(record.value()).containsExactly(1, 2, 3);
        assertThat(header(record, "ce_specversion")).isEqualTo("1.0");
        assertThat(header(record, "ce_id")).isEqualTo("scan-1");
        assertThat(header(record, "ce_source")).isEqualTo("/devices/ct-7");
        assertThat(header(record, "ce_type")).isEqualTo(EventTypes.SCAN_ARRIVED);
        assertThat(header(record, "ce_subject")).isEqualTo("MRN-0042");
        assertThat(header(record, "content-type")).isEqualTo("image/png");
        assertThat(OffsetDateTime.parse(header(record, "ce_time"))).isEqualTo(T);

        assertThat(EventCodecs.ARRIVED.fromRecord(Records.delivered(record))).isEqualTo(event);
    }

    @Test
    void scanArrivedNeverPrintsThePatientReference() {
        ScanArrived event = new ScanArrived("scan-1", URI.create("/devices/ct-7"), T, "MRN-0042", "image/png", new byte[1]);
        assertThat(event.toString()).doesNotContain("MRN-0042");
    }

    @Test
    void scanRejectedRoundTripsAsJson() {
        ScanRejected event = new ScanRejected("scan-2", "/devices/ct-7", RejectionReason.TOO_LARGE,
                "PNG header declares 100000x100000 pixels", "ingest");
        ProducerRecord<String, byte[]> record = EventCodecs.REJECTED.toRecord(Topics.SCANS_REJECTED, event);
        assertThat(header(record, "content-type")).isEqualTo("application/json");
        assertThat(new String(record.value(), StandardCharsets.UTF_8))
                .contains("\"reason\":\"TOO_LARGE\"", "\"scanId\":\"scan-2\"", "\"stage\":\"ingest\"", "\"source\"", "\"detail\"");
        assertThat(EventCodecs.REJECTED.fromRecord(Records.delivered(record))).isEqualTo(event);
    }

    @Test
    void predictionRoundTripsWithContractFieldNames() {
        ScanPrediction event = new ScanPrediction("scan-3", PredictedLabel.COVID, 0.87, 0.42, "v7",
                "mobilenet_v2:5f7ccb5c", T, T.plusSeconds(2));
        ProducerRecord<String, byte[]> record = EventCodecs.PREDICTED.toRecord(Topics.SCANS_PREDICTIONS, event);
        assertThat(new String(record.value(), StandardCharsets.UTF_8)).contains("\"scanId\"", "\"label\":\"COVID\"",
                "\"probability\":0.87", "\"threshold\":0.42", "\"modelVersion\":\"v7\"", "\"backbone\"",
                "\"acquiredAt\":\"2026-11-25T09:30:00Z\"", "\"predictedAt\"");
        assertThat(EventCodecs.PREDICTED.fromRecord(Records.delivered(record))).isEqualTo(event);
    }

    @Test
    void undeterminedPredictionCarriesNullProbabilityAndVersion() {
        ScanPrediction event = ScanPrediction.undetermined("scan-4", "resnet34:random", T, T);
        String json = new String(EventCodecs.PREDICTED.toRecord("t", event).value(), StandardCharsets.UTF_8);
        assertThat(json).contains("\"label\":\"UNDETERMINED\"", "\"probability\":null", "\"modelVersion\":null");
        assertThatThrownBy(() -> new ScanPrediction("x", PredictedLabel.UNDETERMINED, 0.5, null, null, "b", T, T))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ScanPrediction("x", PredictedLabel.COVID, 1.5, 0.5, "v1", "b", T, T))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void labelRoundTrips() {
        ScanLabel event = new ScanLabel("scan-5", ClinicalLabel.NON_COVID, "dr-house", T);
        ProducerRecord<String, byte[]> record = EventCodecs.LABELLED.toRecord(Topics.SCANS_LABELS, event);
        assertThat(header(record, "ce_type")).isEqualTo(EventTypes.SCAN_LABELLED);
        assertThat(EventCodecs.LABELLED.fromRecord(Records.delivered(record))).isEqualTo(event);
    }

    @Test
    void labelFromAClinicianToolsJsonIsRead() {
        ProducerRecord<String, byte[]> record = EventCodecs.LABELLED.toRecord(Topics.SCANS_LABELS,
                new ScanLabel("scan-6", ClinicalLabel.COVID, "dr-x", T));
        byte[] handWritten = "{\"scanId\":\"scan-6\",\"label\":\"COVID\",\"labelledBy\":\"dr-x\",\"labelledAt\":\"2026-11-25T09:30:00Z\",\"note\":\"extra fields are tolerated\"}"
                .getBytes(StandardCharsets.UTF_8);
        ConsumerRecord<String, byte[]> delivered = Records.delivered(
                new ProducerRecord<>(record.topic(), null, record.key(), handWritten, record.headers()));
        assertThat(EventCodecs.LABELLED.fromRecord(delivered).label()).isEqualTo(ClinicalLabel.COVID);
    }

    @Test
    void preprocessedRoundTripsAsCompactGrey8() {
        byte[] pixels = new byte[224 * 224];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) i;
        }
        ScanPreprocessed event = new ScanPreprocessed("scan-7", URI.create("/devices/ct-7"), T, "p-0123abcd",
                Sha256.hex(new byte[] {9}), ImageFormat.JPEG, 1671, 1225, new GreyImage(224, 224, pixels));
        ProducerRecord<String, byte[]> record = EventCodecs.PREPROCESSED.toRecord(Topics.SCANS_PREPROCESSED, event);
        assertThat(record.value()).hasSize(224 * 224);
        assertThat(header(record, "content-type")).isEqualTo(EventCodecs.GREY8_MEDIA_TYPE);
        assertThat(header(record, "ce_subject")).isEqualTo("p-0123abcd");
        assertThat(EventCodecs.PREPROCESSED.fromRecord(Records.delivered(record))).isEqualTo(event);
    }

    @Test
    void preprocessedWithAWrongPixelCountIsInvalid() {
        ScanPreprocessed event = new ScanPreprocessed("scan-8", URI.create("/d"), T, null, "00", ImageFormat.PNG, 1, 1,
                new GreyImage(2, 2, new byte[4]));
        ProducerRecord<String, byte[]> record = EventCodecs.PREPROCESSED.toRecord("t", event);
        ProducerRecord<String, byte[]> cut = new ProducerRecord<>("t", null, record.key(), new byte[3], record.headers());
        assertThatThrownBy(() -> EventCodecs.PREPROCESSED.fromRecord(Records.delivered(cut)))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("not a 2x2 grey8 image");
    }

    @Test
    void theOriginTravelsFromArrivalToPreprocessedToEmbeddingAsCeOrigin() {
        ScanArrived arrival = new ScanArrived("scan-o", URI.create("/devices/ct-1"), T, "MRN-1", "image/png",
                new byte[] {1}, "preprint:2020.02.25.20021568");
        ProducerRecord<String, byte[]> arrived = EventCodecs.ARRIVED.toRecord(Topics.SCANS_ARRIVED, arrival);
        assertThat(header(arrived, "ce_origin")).isEqualTo("preprint:2020.02.25.20021568");
        assertThat(EventCodecs.ARRIVED.fromRecord(Records.delivered(arrived)).origin())
                .isEqualTo("preprint:2020.02.25.20021568");

        ScanPreprocessed preprocessed = new ScanPreprocessed("scan-o", URI.create("/devices/ct-1"), T, "p", "00",
                ImageFormat.PNG, 2, 2, new GreyImage(2, 2, new byte[4]), "site:a");
        assertThat(EventCodecs.PREPROCESSED.fromRecord(Records.delivered(EventCodecs.PREPROCESSED.toRecord("t",
                preprocessed)))).isEqualTo(preprocessed);
        ScanEmbedding embedding = new ScanEmbedding("scan-o", URI.create("/devices/ct-1"), T, "p", "b:1",
                new float[] {1}, "site:a");
        assertThat(EventCodecs.EMBEDDED.fromRecord(Records.delivered(EventCodecs.EMBEDDED.toRecord("t", embedding))))
                .isEqualTo(embedding);
        // an arrival without one has none downstream, and no header
        ProducerRecord<String, byte[]> plain = EventCodecs.ARRIVED.toRecord("t", new ScanArrived("scan-p",
                URI.create("/d"), T, null, "image/png", new byte[] {1}));
        assertThat(plain.headers().lastHeader("ce_origin")).isNull();
    }

    @Test
    void anOriginThatIsNotAShortNameIsRefused() {
        ProducerRecord<String, byte[]> record = EventCodecs.ARRIVED.toRecord("t", new ScanArrived("scan-q",
                URI.create("/d"), T, null, "image/png", new byte[] {1}));
        record.headers().add("ce_origin", "Dr Smith's clinic\n".getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> EventCodecs.ARRIVED.fromRecord(Records.delivered(record)))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("ce_origin")
                .satisfies(e -> assertThat(((InvalidEventException) e).reason())
                        .isEqualTo(RejectionReason.MISSING_ATTRIBUTE));
    }

    @Test
    void embeddingRoundTripsAsLittleEndianFloat32() {
        float[] vector = {0f, -1.5f, 3.25f, Float.MIN_VALUE, 1e9f};
        ScanEmbedding event = new ScanEmbedding("scan-9", URI.create("/devices/ct-1"), T, null, "mobilenet_v2:5f7ccb5c", vector);
        ProducerRecord<String, byte[]> record = EventCodecs.EMBEDDED.toRecord(Topics.SCANS_EMBEDDINGS, event);
        assertThat(record.value()).hasSize(20);
        assertThat(header(record, "ce_backbone")).isEqualTo("mobilenet_v2:5f7ccb5c");
        assertThat(EventCodecs.EMBEDDED.fromRecord(Records.delivered(record))).isEqualTo(event);
    }

    @Test
    void modelPublishedRoundTripsWithWeightsAndMetadata() {
        byte[] weights = new byte[100_000];
        new java.util.Random(5).nextBytes(weights);
        ModelMetadata metadata = new ModelMetadata("covid-head", "v3", T, "mobilenet_v2:5f7ccb5c",
                HeadArchitecture.standard(1280, 0.3),
                new ModelMetrics(List.of(new EpochMetrics(1, 0.69, 0.5, 0.68, 0.55, 1e-4)), 0.81, 0.76, 0.75, 0.8,
                        0.72, 0.44, new ModelMetrics.ConfusionMatrix(48, 16, 42, 12), 425, 118),
                Sha256.hex(weights), "run-12", "/training/runs/run-12/report");
        ModelPublished event = new ModelPublished(new ModelArtifact(metadata, weights));
        ProducerRecord<String, byte[]> record = EventCodecs.MODEL_PUBLISHED.toRecord(Topics.MODELS_PUBLISHED, event);

        assertThat(record.key()).as("one key per version: compaction keeps them all").isEqualTo("covid-head/v3");
        assertThat(header(record, "ce_modelversion")).isEqualTo("v3");
        assertThat(record.headers().lastHeader("ce_rollbackof")).isNull();
        assertThat(header(record, "ce_sha256")).isEqualTo(Sha256.hex(weights));
        ModelPublished read = EventCodecs.MODEL_PUBLISHED.fromRecord(Records.delivered(record));
        assertThat(read).isEqualTo(event);
        assertThat(read.artifact().integrityVerified()).isTrue();
    }

    @Test
    void rollbackRecordCarriesTheOlderArtifactUnderItsOwnVersionAndKey() {
        byte[] weights = new byte[1_000];
        new java.util.Random(6).nextBytes(weights);
        ModelMetadata v1 = new ModelMetadata("covid-head", "v1", T, "mobilenet_v2:5f7ccb5c",
                HeadArchitecture.standard(1280, 0.3), null, Sha256.hex(weights), "run-1", null);
        ModelMetadata rollback = v1.asRollback("v9", T.plusDays(2));
        ProducerRecord<String, byte[]> record = EventCodecs.MODEL_PUBLISHED.toRecord(Topics.MODELS_PUBLISHED,
                new ModelPublished(new ModelArtifact(rollback, weights)));

        assertThat(record.key()).isEqualTo("covid-head/v9");
        assertThat(header(record, "ce_modelversion")).isEqualTo("v9");
        assertThat(header(record, "ce_rollbackof")).isEqualTo("v1");
        ModelPublished read = EventCodecs.MODEL_PUBLISHED.fromRecord(Records.delivered(record));
        assertThat(read.rollbackOf()).isEqualTo("v1");
        assertThat(read.artifact().metadata().servedVersion()).isEqualTo("v1");
        assertThat(read.artifact().metadata().createdAt()).isEqualTo(T.plusDays(2));
        assertThat(read.artifact().integrityVerified()).isTrue();
        assertThat(rollback.asRollback("v10", T.plusDays(3)).rollbackOf())
                .as("a rollback of a rollback restores the original").isEqualTo("v1");
        assertThatThrownBy(() -> v1.asRollback("v1", T)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("rollbackOf");
    }

    @Test
    void modelPublishedWithGarbageIsInvalid() {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>("t", null, "covid-head", new byte[] {1, 2, 3},
                EventCodecs.ARRIVED.toRecord("t", new ScanArrived("x", URI.create("/d"), T, null, "image/png", new byte[1])).headers());
        record.headers().remove("ce_type");
        record.headers().add("ce_type", EventTypes.MODEL_PUBLISHED.getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> EventCodecs.MODEL_PUBLISHED.fromRecord(Records.delivered(record)))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("model artifact does not parse");
    }

    @Test
    void missingCeIdIsAMissingAttribute() {
        ProducerRecord<String, byte[]> record = arrivedRecord();
        record.headers().remove("ce_id");
        assertThatThrownBy(() -> EventCodecs.ARRIVED.fromRecord(Records.delivered(record)))
                .isInstanceOfSatisfying(InvalidEventException.class,
                        e -> assertThat(e.reason()).isEqualTo(RejectionReason.MISSING_ATTRIBUTE))
                .hasMessageContaining("ce_id");
    }

    @Test
    void missingTimeOrContentTypeIsAMissingAttribute() {
        for (String header : List.of("ce_time", "content-type", "ce_source", "ce_specversion")) {
            ProducerRecord<String, byte[]> record = arrivedRecord();
            record.headers().remove(header);
            assertThatThrownBy(() -> EventCodecs.ARRIVED.fromRecord(Records.delivered(record))).as(header)
                    .isInstanceOfSatisfying(InvalidEventException.class,
                            e -> assertThat(e.reason()).isEqualTo(RejectionReason.MISSING_ATTRIBUTE));
        }
    }

    @Test
    void unparseableTimeIsRejectedNotThrownThrough() {
        ProducerRecord<String, byte[]> record = arrivedRecord();
        record.headers().remove("ce_time");
        record.headers().add("ce_time", "yesterday".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> EventCodecs.ARRIVED.fromRecord(Records.delivered(record)))
                .isInstanceOf(InvalidEventException.class);
    }

    @Test
    void anotherEventTypeIsNotAScanArrival() {
        ProducerRecord<String, byte[]> record = arrivedRecord();
        record.headers().remove("ce_type");
        record.headers().add("ce_type", "com.example.other".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> EventCodecs.ARRIVED.fromRecord(Records.delivered(record)))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("com.example.other");
    }

    private static ProducerRecord<String, byte[]> arrivedRecord() {
        return EventCodecs.ARRIVED.toRecord(Topics.SCANS_ARRIVED,
                new ScanArrived("scan-x", URI.create("/devices/ct-7"), T, null, "image/png", new byte[] {1}));
    }

    private static String header(ProducerRecord<String, byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        assertThat(header).as(name).isNotNull();
        return new String(header.value(), StandardCharsets.UTF_8);
    }
}
