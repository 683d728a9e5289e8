package io.scanstream.inference.domain;

import io.scanstream.core.artifact.HeadArchitecture;
import io.scanstream.core.artifact.ModelMetadata;
import io.scanstream.core.contract.ScanPreprocessed;
import io.scanstream.core.imaging.GreyImage;
import io.scanstream.core.imaging.ImageFormat;
import io.scanstream.core.integrity.Sha256;
import io.scanstream.model.head.ClassificationHead;
import io.scanstream.model.head.TestHeadWeights;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Poison isolation in the forward pass: a head that outputs NaN, a backbone whose embedding is not finite, or an
 * Error thrown by the natives ends as INTERNAL failures of the scans concerned, never as an exception out of the
 * batch; a head version with a run of non-finite outputs is withdrawn and its backbone serves alone.
 */
class ScanInferenceTest {

    private static final int DIM = 8;
    private static final HeadArchitecture ARCHITECTURE = HeadArchitecture.standard(DIM, 0.0);
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final List<String> events = new ArrayList<>();
    private final OutputGuard guard = new OutputGuard(3, new OutputGuard.Observer() {
        @Override
        public void nonFinite(String version, String backboneId) {
            events.add("nonFinite:" + version);
        }

        @Override
        public void withdrawn(String version, int consecutive) {
            events.add("withdrawn:" + version + "@" + consecutive);
        }

        @Override
        public void forwardError(Throwable error) {
            events.add("error:" + error.getClass().getSimpleName());
        }
    });

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    @Test
    void aHeadThatOutputsNaNFailsItsScansAndIsWithdrawnAfterTheLimit() {
        ServingNetwork nan = new ServingNetwork(standIn(images -> ones(images.size())),
                Optional.of(head("v-nan", true)));
        ScanInference inference = new ScanInference(() -> nan, guard);

        List<InferenceResult> first = inference.process(scans("a", 2), 2);
        assertThat(first).allSatisfy(r -> {
            assertThat(r).isInstanceOf(InferenceResult.Failed.class);
            assertThat(((InferenceResult.Failed) r).reason()).contains("non-finite").contains("v-nan");
        });
        assertThat(guard.withdrawn("v-nan")).isFalse();

        // the third NaN in a row withdraws the version; the next batch runs the backbone alone: UNDETERMINED
        assertThat(inference.process(scans("b", 1), 1)).singleElement().isInstanceOf(InferenceResult.Failed.class);
        assertThat(guard.withdrawn("v-nan")).isTrue();
        assertThat(events).containsExactly("nonFinite:v-nan", "nonFinite:v-nan", "nonFinite:v-nan",
                "withdrawn:v-nan@3");
        List<InferenceResult> after = inference.process(scans("c", 3), 4);
        assertThat(after).hasSize(3).allSatisfy(r -> assertThat(r).isInstanceOf(InferenceResult.Embedded.class));
    }

    @Test
    void reportsTheWithdrawalOnceAndFeedsOnlyInputsWithAFiniteOutcomeToTheValidationBatch() {
        ServingNetwork nan = new ServingNetwork(standIn(images -> ones(images.size())),
                Optional.of(head("v-nan", true)));
        List<String> feedback = new ArrayList<>();
        ScanInference inference = new ScanInference(() -> nan, guard, new ScanInference.Feedback() {
            @Override
            public void served(GreyImage input) {
                feedback.add("served:" + input.pixels()[0]);
            }

            @Override
            public void withdrawn(ServingHead head) {
                feedback.add("withdrawn:" + head.version());
            }
        });
        List<ScanPreprocessed> scans = scans("w", 4);
        for (int i = 0; i < scans.size(); i++) {
            scans.get(i).image().pixels()[0] = (byte) i;
        }

        inference.process(scans.subList(0, 3), 4); // three NaNs: withdrawn; none of them served
        inference.process(scans.subList(3, 4), 1); // the backbone alone: an embedding, served

        assertThat(feedback).containsExactly("withdrawn:v-nan", "served:3");
    }

    @Test
    void aFiniteOutputEndsTheRunSoOccasionalNaNsDoNotWithdrawAVersion() {
        boolean[] nanNext = {true};
        ServingNetwork finite = new ServingNetwork(standIn(images -> ones(images.size())),
                Optional.of(head("v-ok", false)));
        ServingNetwork nan = new ServingNetwork(finite.backbone(), Optional.of(new ServingHead(head("v-ok", true)
                .head(), finite.head().get().metadata())));
        ScanInference inference = new ScanInference(() -> nanNext[0] ? nan : finite, guard);
        for (int i = 0; i < 5; i++) {
            nanNext[0] = true;
            inference.process(scans("n" + i, 2), 2);
            nanNext[0] = false;
            assertThat(inference.process(scans("f" + i, 1), 1)).singleElement()
                    .isInstanceOf(InferenceResult.Scored.class);
        }
        assertThat(guard.withdrawn("v-ok")).isFalse();
    }

    @Test
    void aNonFiniteEmbeddingFailsOnlyItsOwnScan() {
        ServingNetwork network = new ServingNetwork(standIn(images -> {
            float[][] rows = ones(images.size());
            rows[1][3] = Float.POSITIVE_INFINITY;
            return rows;
        }), Optional.empty());
        List<InferenceResult> results = new ScanInference(() -> network, guard).process(scans("e", 3), 4);
        assertThat(results.get(0)).isInstanceOf(InferenceResult.Embedded.class);
        assertThat(results.get(1)).isInstanceOf(InferenceResult.Failed.class);
        assertThat(((InferenceResult.Failed) results.get(1)).reason()).contains("non-finite embedding");
        assertThat(results.get(2)).isInstanceOf(InferenceResult.Embedded.class);
    }

    @Test
    void anErrorFromTheForwardPassFailsTheScansAndDoesNotEscape() {
        // Before: only RuntimeException was caught; a StackOverflowError or OutOfMemoryError escaped the batch.
        ServingNetwork network = new ServingNetwork(standIn(images -> {
            if (images.size() > 1) {
                throw new OutOfMemoryError("Java heap space (stub)");
            }
            if (images.get(0).pixels()[0] == 7) {
                throw new StackOverflowError("stub");
            }
            return ones(1);
        }), Optional.empty());
        List<ScanPreprocessed> scans = scans("x", 3);
        scans.get(1).image().pixels()[0] = 7;
        List<InferenceResult> results = new ScanInference(() -> network, guard).process(scans, 4);
        assertThat(results).hasSize(3);
        assertThat(results.get(0)).isInstanceOf(InferenceResult.Embedded.class);
        assertThat(results.get(1)).isInstanceOf(InferenceResult.Failed.class);
        assertThat(((InferenceResult.Failed) results.get(1)).reason()).contains("StackOverflowError");
        assertThat(results.get(2)).isInstanceOf(InferenceResult.Embedded.class);
        assertThat(events).containsExactly("error:OutOfMemoryError", "error:StackOverflowError");
    }

    private ServingHead head(String version, boolean nan) {
        byte[] weights = nan ? TestHeadWeights.nan(ARCHITECTURE) : TestHeadWeights.seeded(ARCHITECTURE, 5);
        ClassificationHead head = ClassificationHead.fromWeights(ARCHITECTURE, weights);
        closeables.add(head);
        return new ServingHead(head, new ModelMetadata("covid-head", version, OffsetDateTime.now(), "stub:1",
                ARCHITECTURE, null, Sha256.hex(weights), null, null));
    }

    private static float[][] ones(int n) {
        float[][] rows = new float[n][DIM];
        for (float[] row : rows) {
            java.util.Arrays.fill(row, 1f);
        }
        return rows;
    }

    private static List<ScanPreprocessed> scans(String tag, int n) {
        List<ScanPreprocessed> scans = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            scans.add(new ScanPreprocessed(tag + i, URI.create("/devices/ct-1"),
                    OffsetDateTime.parse("2026-12-01T10:00:00Z"), "p1", "ab", ImageFormat.PNG, 2, 2,
                    new GreyImage(2, 2, new byte[4]), null));
        }
        return scans;
    }

    private static StandInBackbone standIn(Function<List<GreyImage>, float[][]> embed) {
        return new StandInBackbone("stub:1", DIM, true, embed);
    }
}
