package io.scanstream.ingest.domain;

import io.scanstream.core.contract.EncodedEvent;
import io.scanstream.core.contract.EventCodecs;
import io.scanstream.core.contract.RejectionReason;
import io.scanstream.core.contract.ScanArrived;
import io.scanstream.core.imaging.DecodeLimits;
import io.scanstream.core.imaging.ImageFormat;
import io.scanstream.core.imaging.PixelType;
import io.scanstream.core.privacy.PatientPseudonymizer;
import io.scanstream.core.synthetic.SyntheticCtGenerator;
import io.scanstream.core.synthetic.SyntheticScan;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class IngestPipelineTest {

    private static final OffsetDateTime T = OffsetDateTime.parse("2026-11-25T08:00:00Z");
    /** Each arrival is a record of its own, at the next offset, as a device's re-delivery is. */
    private static final AtomicLong NEXT_OFFSET = new AtomicLong();
    private final SyntheticCtGenerator generator = new SyntheticCtGenerator(99);
    private static final String KEY = "unit-test-pseudonymisation-key";
    private final PatientPseudonymizer pseudonymizer = new PatientPseudonymizer(KEY);
    private final IngestPipeline pipeline = new IngestPipeline(new IngestPolicy(DecodeLimits.DEFAULT, true, 1000), KEY);

    @Test
    void acceptsAScanAndPseudonymisesThePatient() {
        SyntheticScan scan = generator.scan(0);
        IngestOutcome outcome = single(arrival(scan.scanId(), scan.contentType(), scan.bytes(), "MRN-7"));
        assertThat(outcome).isInstanceOf(IngestOutcome.Accepted.class);
        var accepted = ((IngestOutcome.Accepted) outcome).scan();
        assertThat(accepted.scanId()).isEqualTo(scan.scanId());
        assertThat(accepted.image().width()).isEqualTo(224);
        assertThat(accepted.patientPseudonym()).isEqualTo(pseudonymizer.pseudonymise("MRN-7")).doesNotContain("MRN");
        assertThat(accepted.acquiredAt()).isEqualTo(T);
        assertThat(accepted.sourceFormat()).isEqualTo(scan.format());
    }

    @Test
    void carriesTheArrivalsOriginToThePreprocessedScan() {
        SyntheticScan scan = generator.scan(1);
        EncodedEvent event = EventCodecs.ARRIVED.encode(new ScanArrived(scan.scanId(), URI.create("/devices/ct-test"),
                T, null, scan.contentType(), scan.bytes(), "site:north"));
        IngestOutcome outcome = single(new IncomingScan(event.key(), new RecordHeaders(event.headers().toArray()),
                event.value(), "scans.arrived-0@1"));

        assertThat(((IngestOutcome.Accepted) outcome).scan().origin()).isEqualTo("site:north");
    }

    @Test
    void rejectsContentTypeThatContradictsTheBytes() {
        SyntheticScan jpeg = generator.scan(0, 300, 200, PixelType.GREY8, ImageFormat.JPEG);
        IngestOutcome outcome = single(arrival("ct-mismatch", "image/png", jpeg.bytes(), null));
        assertRejected(outcome, RejectionReason.UNSUPPORTED_FORMAT, "bytes are JPEG");
    }

    @Test
    void trustsTheBytesWhenContentTypeIsNotStrict() {
        IngestPipeline lenient = new IngestPipeline(new IngestPolicy(DecodeLimits.DEFAULT, false, 10), KEY);
        SyntheticScan jpeg = generator.scan(0, 300, 200, PixelType.GREY8, ImageFormat.JPEG);
        assertThat(lenient.process(List.of(arrival("ct-lenient", "image/png", jpeg.bytes(), null))).get(0))
                .isInstanceOf(IngestOutcome.Accepted.class);
    }

    @Test
    void rejectsAContentTypeOtherThanPngJpegOrDicom() {
        assertRejected(single(arrival("gif-1", "image/gif", generator.scan(1).bytes(), null)),
                RejectionReason.UNSUPPORTED_FORMAT, "image/gif");
    }

    @Test
    void rejectsARecordWithoutCeIdNamingItByKey() {
        IncomingScan scan = arrival("key-only", "image/png", generator.scan(2).bytes(), null);
        scan.headers().remove("ce_id");
        IngestOutcome outcome = single(scan);
        assertRejected(outcome, RejectionReason.MISSING_ATTRIBUTE, "ce_id");
        assertThat(outcome.scanId()).isEqualTo("key-only");
    }

    @Test
    void namesAScanWithNeitherIdNorKeyByItsLocation() {
        IncomingScan scan = arrival("x", "image/png", generator.scan(2).bytes(), null);
        scan.headers().remove("ce_id");
        IngestOutcome outcome = single(new IncomingScan(null, scan.headers(), scan.payload(), "scans.arrived-1@42"));
        assertThat(outcome.scanId()).isEqualTo("unidentified:scans.arrived-1@42");
    }

    @Test
    void rejectsARecordWithNoHeadersAtAll() {
        IngestOutcome outcome = single(new IncomingScan("bare", new RecordHeaders(), new byte[] {1}, "t-0@0"));
        assertRejected(outcome, RejectionReason.MISSING_ATTRIBUTE, "ce_specversion");
    }

    @Test
    void rejectsAnOversizedPayloadBeforeHashingOrDecoding() {
        IngestPipeline small = new IngestPipeline(new IngestPolicy(new DecodeLimits(1000, 8192, 8192, 1L << 30), true, 10),
                KEY);
        IngestOutcome outcome = small.process(List.of(arrival("big", "image/png", generator.scan(3).bytes(), null))).get(0);
        assertRejected(outcome, RejectionReason.TOO_LARGE, "exceeds the limit of 1000 bytes");
    }

    @Test
    void rejectsARedeliveryOfAnAcceptedScanAsDuplicate() {
        SyntheticScan scan = generator.scan(4);
        List<IngestOutcome> first = pipeline.process(List.of(arrival(scan.scanId(), scan.contentType(), scan.bytes(), null)));
        pipeline.committed(first);
        IngestOutcome again = single(arrival(scan.scanId(), scan.contentType(), scan.bytes(), null));
        assertRejected(again, RejectionReason.DUPLICATE, "identical content");
    }

    @Test
    void judgesTheSameRecordReadAgainNewEvenAfterItsCommitWasReported() {
        // A batch aborted behind a reported success (SmallRye on a rebalance) is read again from the same offsets; a
        // committed one never is, since its transaction moved the group's offsets past it.
        SyntheticScan scan = generator.scan(4);
        IncomingScan record = arrival(scan.scanId(), scan.contentType(), scan.bytes(), null);
        pipeline.committed(pipeline.process(List.of(record)));

        assertThat(single(record)).isInstanceOf(IngestOutcome.Accepted.class);
        IncomingScan redelivery = arrival(scan.scanId(), scan.contentType(), scan.bytes(), null);
        assertRejected(single(redelivery), RejectionReason.DUPLICATE, "identical content");
    }

    @Test
    void neverTakesRecordsOfUnknownOffsetForTheSameRecord() {
        SyntheticScan scan = generator.scan(4);
        IncomingScan arrived = arrival(scan.scanId(), scan.contentType(), scan.bytes(), null);
        IncomingScan unplaced = new IncomingScan(arrived.key(), arrived.headers(), arrived.payload(),
                "scans.arrived-0" + IncomingScan.UNKNOWN_OFFSET);
        pipeline.committed(pipeline.process(List.of(unplaced)));

        assertRejected(single(unplaced), RejectionReason.DUPLICATE, "identical content");
    }

    @Test
    void aScanRecalledFromTheSeenTopicIsADuplicateFromAnyRecord() {
        // known committed: read back again (an operator's offset reset) it is still a duplicate
        SyntheticScan scan = generator.scan(4);
        IncomingScan record = arrival(scan.scanId(), scan.contentType(), scan.bytes(), null);
        pipeline.recall(scan.scanId(), io.scanstream.core.integrity.Sha256.hex(scan.bytes()));

        assertRejected(single(record), RejectionReason.DUPLICATE, "identical content");
    }

    @Test
    void rejectsAReusedIdWithOtherContentAsIdReused() {
        SyntheticScan scan = generator.scan(5);
        pipeline.committed(pipeline.process(List.of(arrival("reused", scan.contentType(), scan.bytes(), null))));
        SyntheticScan other = generator.scan(11);
        assertRejected(single(arrival("reused", other.contentType(), other.bytes(), null)), RejectionReason.ID_REUSED,
                "different content");
    }

    @Test
    void recognisesScansRecalledFromTheDurableMemoryOfAnEarlierProcess() {
        // What SeenScansLoader hands a new process: the id and content hash of a scan accepted before a restart.
        SyntheticScan scan = generator.scan(12);
        pipeline.recall("before-restart", io.scanstream.core.integrity.Sha256.hex(scan.bytes()));
        assertThat(pipeline.remembered()).isEqualTo(1);
        assertRejected(single(arrival("before-restart", scan.contentType(), scan.bytes(), null)),
                RejectionReason.DUPLICATE, "identical content");
        SyntheticScan other = generator.scan(13);
        assertRejected(single(arrival("before-restart", other.contentType(), other.bytes(), null)),
                RejectionReason.ID_REUSED, "image, embedding and label");
    }

    @Test
    void catchesDuplicatesInsideOneBatch() {
        SyntheticScan scan = generator.scan(6);
        List<IngestOutcome> outcomes = pipeline.process(List.of(
                arrival("twice", scan.contentType(), scan.bytes(), null),
                arrival("twice", scan.contentType(), scan.bytes(), null)));
        assertThat(outcomes.get(0)).isInstanceOf(IngestOutcome.Accepted.class);
        assertRejected(outcomes.get(1), RejectionReason.DUPLICATE, "identical content");
    }

    @Test
    void forgetsNothingOfABatchThatWasNotCommitted() {
        // An aborted transaction is re-read: its scans must not count as duplicates of themselves.
        SyntheticScan scan = generator.scan(7);
        pipeline.process(List.of(arrival("aborted", scan.contentType(), scan.bytes(), null)));
        assertThat(single(arrival("aborted", scan.contentType(), scan.bytes(), null))).isInstanceOf(IngestOutcome.Accepted.class);
    }

    @Test
    void acceptsAResendOfAScanThatWasRejected() {
        SyntheticScan scan = generator.scan(8);
        byte[] truncated = java.util.Arrays.copyOf(scan.bytes(), 100);
        pipeline.committed(pipeline.process(List.of(arrival("fixed-later", scan.contentType(), truncated, null))));
        assertThat(single(arrival("fixed-later", scan.contentType(), scan.bytes(), null))).isInstanceOf(IngestOutcome.Accepted.class);
    }

    @Test
    void givesEveryRecordOfAMixedBatchExactlyOneOutcomeInOrder() {
        List<IncomingScan> batch = List.of(
                arrival("a", generator.scan(9).contentType(), generator.scan(9).bytes(), null),
                arrival("b", "image/png", new byte[0], null),
                arrival("c", "image/png", "not an image".getBytes(StandardCharsets.UTF_8), null),
                arrival("d", generator.scan(13).contentType(), generator.scan(13).bytes(), null));
        List<IngestOutcome> outcomes = pipeline.process(batch);
        assertThat(outcomes).extracting(IngestOutcome::scanId).containsExactly("a", "b", "c", "d");
        assertThat(outcomes.get(0)).isInstanceOf(IngestOutcome.Accepted.class);
        assertRejected(outcomes.get(1), RejectionReason.CORRUPT_IMAGE, "empty payload");
        assertRejected(outcomes.get(2), RejectionReason.UNSUPPORTED_FORMAT, "not a known image format");
        assertThat(outcomes.get(3)).isInstanceOf(IngestOutcome.Accepted.class);
    }

    @Test
    void turnsAnUnexpectedFailureIntoAnInternalRejection() {
        IngestPipeline failing = new IngestPipeline(new IngestPolicy(DecodeLimits.DEFAULT, true, 10), KEY,
                IngestPipeline.Observer.NONE, bytes -> {
                    throw new IllegalStateException("decoder crashed");
                }, instance -> {
                    throw new IllegalStateException("decoder crashed");
                });
        SyntheticScan scan = generator.scan(0);
        List<IngestOutcome> outcomes = failing.process(List.of(
                arrival("boom", scan.contentType(), scan.bytes(), "MRN-1"),
                arrival("no-headers", scan.contentType(), scan.bytes(), null)));
        assertRejected(outcomes.get(0), RejectionReason.INTERNAL, "decoder crashed");
        assertThat(outcomes.get(0).scanId()).isEqualTo("boom");
        assertThat(outcomes).hasSize(2);
    }

    @Test
    void turnsAnErrorInPreprocessingIntoAnInternalRejectionOfThatScanOnly() {
        // Before: only RuntimeException was caught; an OutOfMemoryError left process() and the whole batch vanished.
        SyntheticScan scan = generator.scan(0);
        IngestPipeline failing = new IngestPipeline(new IngestPolicy(DecodeLimits.DEFAULT, true, 10), KEY,
                IngestPipeline.Observer.NONE, bytes -> {
                    if (bytes.length == scan.bytes().length) {
                        throw new OutOfMemoryError("Java heap space (stub)");
                    }
                    throw new StackOverflowError();
                }, instance -> {
                    throw new StackOverflowError();
                });
        List<IngestOutcome> outcomes = failing.process(List.of(
                arrival("oom", scan.contentType(), scan.bytes(), "MRN-1"),
                arrival("so", scan.contentType(), generator.scan(1).bytes(), "MRN-1")));
        assertThat(outcomes).hasSize(2);
        assertRejected(outcomes.get(0), RejectionReason.INTERNAL, "OutOfMemoryError");
        assertRejected(outcomes.get(1), RejectionReason.INTERNAL, "StackOverflowError");
    }

    @Test
    void rejectsARecordWhoseHeadersAreAbsent() {
        IngestOutcome outcome = single(new IncomingScan("k", null, new byte[] {1}, "t-0@1"));
        assertRejected(outcome, RejectionReason.MISSING_ATTRIBUTE, "ce_specversion");
    }

    private IngestOutcome single(IncomingScan scan) {
        List<IngestOutcome> outcomes = pipeline.process(List.of(scan));
        assertThat(outcomes).hasSize(1);
        return outcomes.get(0);
    }

    private static void assertRejected(IngestOutcome outcome, RejectionReason reason, String detail) {
        assertThat(outcome).isInstanceOf(IngestOutcome.Rejected.class);
        var rejection = ((IngestOutcome.Rejected) outcome).rejection();
        assertThat(rejection.reason()).as(rejection.detail()).isEqualTo(reason);
        assertThat(rejection.detail()).contains(detail);
        assertThat(rejection.stage()).isEqualTo("ingest");
    }

    static IncomingScan arrival(String id, String contentType, byte[] bytes, String patient) {
        EncodedEvent event = EventCodecs.ARRIVED.encode(
                new ScanArrived(id, URI.create("/devices/ct-test"), T, patient, contentType, bytes));
        Headers headers = new RecordHeaders(event.headers().toArray());
        return new IncomingScan(event.key(), headers, event.value(), "scans.arrived-0@" + NEXT_OFFSET.getAndIncrement());
    }
}
