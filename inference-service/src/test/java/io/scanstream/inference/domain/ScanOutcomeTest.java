package io.scanstream.inference.domain;

import io.scanstream.core.contract.PredictedLabel;
import io.scanstream.core.contract.RejectionReason;
import io.scanstream.core.contract.ScanPreprocessed;
import io.scanstream.core.imaging.GreyImage;
import io.scanstream.core.imaging.ImageFormat;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;

/** The one mapping from what the network made of a scan to the events published for it. */
class ScanOutcomeTest {

    private static final OffsetDateTime ACQUIRED = OffsetDateTime.parse("2026-12-01T10:00:00Z");
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-01T10:00:01.250Z"), ZoneOffset.UTC);
    private final ScanOutcomes outcomes = new ScanOutcomes(CLOCK);
    private final ScanPreprocessed scan = new ScanPreprocessed("s1", URI.create("/devices/ct-1"), ACQUIRED, "p1",
            "ab", ImageFormat.PNG, 2, 2, new GreyImage(2, 2, new byte[4]), "site:a");

    @Test
    void aScoredScanIsCovidExactlyFromTheVersionsThresholdOn() {
        assertThat(prediction(0.40, 0.40).label()).isEqualTo(PredictedLabel.COVID);
        assertThat(prediction(0.3999, 0.40).label()).isEqualTo(PredictedLabel.NON_COVID);
        ScanOutcome.Predicted p = (ScanOutcome.Predicted) outcomes.of(
                new InferenceResult.Scored(scan, new float[] {1, 2}, "mobilenet_v2:abc", 0.9, "v7", 0.5));
        assertThat(p.prediction().modelVersion()).isEqualTo("v7");
        assertThat(p.prediction().threshold()).isEqualTo(0.5);
        assertThat(p.prediction().backbone()).isEqualTo("mobilenet_v2:abc");
        assertThat(p.embedding().backboneId()).isEqualTo("mobilenet_v2:abc");
        assertThat(p.embedding().vector()).containsExactly(1, 2);
        assertThat(p.embedding().patientPseudonym()).isEqualTo("p1");
        assertThat(p.embedding().origin()).isEqualTo("site:a");
        assertThat(p.latency()).isEqualTo(Duration.ofMillis(1250));
    }

    @Test
    void anEmbeddingWithoutAHeadIsUndetermined() {
        ScanOutcome.Predicted p = (ScanOutcome.Predicted) outcomes.of(
                new InferenceResult.Embedded(scan, new float[] {3}, "mobilenet_v2:abc"));
        assertThat(p.prediction().label()).isEqualTo(PredictedLabel.UNDETERMINED);
        assertThat(p.prediction().probability()).isNull();
        assertThat(p.prediction().modelVersion()).isNull();
        assertThat(p.embedding().vector()).containsExactly(3);
    }

    @Test
    void aFailedForwardPassIsOneInternalRejectionWithTheDevice() {
        ScanOutcome.Rejected r = (ScanOutcome.Rejected) outcomes.of(new InferenceResult.Failed(scan, "boom"));
        assertThat(r.rejection().reason()).isEqualTo(RejectionReason.INTERNAL);
        assertThat(r.rejection().scanId()).isEqualTo("s1");
        assertThat(r.rejection().source()).isEqualTo("/devices/ct-1");
        assertThat(r.rejection().detail()).contains("boom");
        assertThat(r.rejection().stage()).isEqualTo("inference");
    }

    @Test
    void aResultTheContractDoesNotAdmitIsOneInternalRejectionNotAnException() {
        // Before: new ScanPrediction threw IllegalArgumentException inside the loop's open transaction.
        for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY, 1.5}) {
            ScanOutcome outcome = outcomes.of(new InferenceResult.Scored(scan, new float[] {0}, "mobilenet_v2:abc",
                    bad, "v1", 0.5));
            assertThat(outcome).isInstanceOf(ScanOutcome.Rejected.class);
            ScanOutcome.Rejected r = (ScanOutcome.Rejected) outcome;
            assertThat(r.rejection().reason()).isEqualTo(RejectionReason.INTERNAL);
            assertThat(r.rejection().stage()).isEqualTo("inference");
            assertThat(r.rejection().detail()).contains("not a valid prediction");
        }
    }

    @Test
    void aPreprocessedScanThatIsNotTheModelInputIsRejectedBeforeInference() {
        // Before: scans.preprocessed records were not checked against 224x224 on read.
        assertThat(outcomes.refusedInput(scan)).get().isInstanceOfSatisfying(ScanOutcome.Rejected.class, r -> {
            assertThat(r.rejection().reason()).isEqualTo(RejectionReason.CORRUPT_IMAGE);
            assertThat(r.rejection().detail()).contains("image is 2x2, the model input is 224x224");
            assertThat(r.rejection().stage()).isEqualTo("inference");
            assertThat(r.rejection().source()).isEqualTo("/devices/ct-1");
        });
        ScanPreprocessed good = new ScanPreprocessed("s2", URI.create("/devices/ct-1"), ACQUIRED, "p1", "ab",
                ImageFormat.PNG, 512, 512, new GreyImage(224, 224, new byte[224 * 224]), null);
        assertThat(outcomes.refusedInput(good)).isEmpty();
    }

    private io.scanstream.core.contract.ScanPrediction prediction(double p, double threshold) {
        return ((ScanOutcome.Predicted) outcomes.of(new InferenceResult.Scored(scan, new float[] {0}, "mobilenet_v2:abc", p,
                "v1", threshold))).prediction();
    }
}
