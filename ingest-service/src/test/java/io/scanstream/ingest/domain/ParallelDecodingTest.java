package io.scanstream.ingest.domain;

import io.scanstream.core.contract.ClinicalLabel;
import io.scanstream.core.contract.RejectionReason;
import io.scanstream.core.dicom.SyntheticDicom;
import io.scanstream.core.imaging.DecodeLimits;
import io.scanstream.core.imaging.GreyImage;
import io.scanstream.core.imaging.ImageFormat;
import io.scanstream.core.imaging.PixelType;
import io.scanstream.core.imaging.ScanPreprocessor;
import io.scanstream.core.integrity.Sha256;
import io.scanstream.core.synthetic.SyntheticCtGenerator;
import io.scanstream.core.synthetic.SyntheticScan;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static io.scanstream.ingest.domain.IngestPipelineTest.arrival;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Decoding a batch on a worker pool changes nothing a record's outcome depends on: the same outcomes, in the same
 * order, as one scan after another; a decode that throws costs only its own scan; and the decodes really overlap.
 */
class ParallelDecodingTest {

    private static final String KEY = "unit-test-pseudonymisation-key";
    private static final IngestPolicy POLICY = new IngestPolicy(DecodeLimits.DEFAULT, true, 1000);
    private final SyntheticCtGenerator generator = new SyntheticCtGenerator(23);
    private final ExecutorService pool = Executors.newFixedThreadPool(4);

    @AfterEach
    void stopPool() throws InterruptedException {
        pool.shutdownNow();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aMixedBatchGetsTheSameOutcomesInTheSameOrderAtParallelismOneAndFour() {
        SyntheticScan png = generator.scan(0, 300, 200, PixelType.GREY8, ImageFormat.PNG);
        SyntheticScan jpeg = generator.scan(1, 256, 256, PixelType.GREY8, ImageFormat.JPEG);
        SyntheticScan other = generator.scan(2, 320, 240, PixelType.GREY16, ImageFormat.PNG);
        SyntheticScan recalledOriginal = generator.scan(3);
        SyntheticScan late = generator.scan(4, 200, 200, PixelType.RGB, ImageFormat.PNG);
        GreyImage phantom = generator.render(5, ClinicalLabel.COVID, 256, 192);
        SyntheticDicom.Identifiers ids = SyntheticDicom.Identifiers.of("MRN-9", "slice-9");
        byte[] dicom = SyntheticDicom.ctSlice(phantom, ids, SyntheticDicom.Compression.JPEG_LOSSLESS);
        byte[] corrupt = "not an image".getBytes(StandardCharsets.UTF_8);
        byte[] truncated = Arrays.copyOf(late.bytes(), 120);

        List<IncomingScan> batch = List.of(
                arrival("png", "image/png", png.bytes(), "MRN-1"),                      // 0 accepted
                arrival("jpeg", "image/jpeg", jpeg.bytes(), "MRN-2"),                   // 1 accepted
                arrival("corrupt", "image/png", corrupt, null),                          // 2 not an image
                arrival("png", "image/png", png.bytes(), "MRN-1"),                      // 3 in-batch duplicate
                arrival("jpeg", "image/png", other.bytes(), null),                       // 4 in-batch id reused
                arrival("recalled", "image/png", other.bytes(), null),                   // 5 id reused (durable)
                arrival(ids.sopInstanceUid(), "application/dicom", dicom, "MRN-9"),      // 6 DICOM accepted
                arrival("late", "image/png", truncated, null),                           // 7 corrupt, claims "late"
                arrival("late", "image/png", late.bytes(), null),                        // 8 accepted after all
                arrival("late", "image/png", late.bytes(), null),                        // 9 duplicate of 8
                arrival(ids.sopInstanceUid(), "application/dicom", dicom, "MRN-9"),      // 10 DICOM duplicate
                arrival("gif", "image/gif", png.bytes(), null));                        // 11 unsupported type

        List<IngestOutcome> sequential = pipeline(IngestPipeline.ON_CALLING_THREAD, recalledOriginal).process(batch);
        List<IngestOutcome> parallel = pipeline(pool, recalledOriginal).process(batch);

        assertThat(parallel).extracting(ParallelDecodingTest::describe)
                .containsExactlyElementsOf(sequential.stream().map(ParallelDecodingTest::describe).toList());
        assertThat(kinds(parallel)).containsExactly("ACCEPTED", "ACCEPTED", "UNSUPPORTED_FORMAT", "DUPLICATE",
                "ID_REUSED", "ID_REUSED", "ACCEPTED", "CORRUPT_IMAGE", "ACCEPTED", "DUPLICATE", "DUPLICATE",
                "UNSUPPORTED_FORMAT");
        assertThat(parallel.get(8).scanId()).isEqualTo("late");
        assertThat(((IngestOutcome.Accepted) parallel.get(8)).scan().contentSha256()).isEqualTo(Sha256.hex(late.bytes()));
    }

    @Test
    void anErrorInOneDecodeRejectsThatScanOnlyAndItsNeighboursAreDecoded() {
        SyntheticScan before = generator.scan(10);
        SyntheticScan poisoned = generator.scan(11);
        SyntheticScan after = generator.scan(12);
        ScanPreprocessor real = new ScanPreprocessor(DecodeLimits.DEFAULT);
        List<String> observed = Collections.synchronizedList(new ArrayList<>());
        Set<Thread> observerThreads = ConcurrentHashMap.newKeySet();
        IngestPipeline.Observer observer = (outcome, nanos) -> {
            assertThat(nanos).isPositive();
            observed.add(outcome.scanId());
            observerThreads.add(Thread.currentThread());
        };
        IngestPipeline pipeline = new IngestPipeline(POLICY, KEY, observer, bytes -> {
            if (Arrays.equals(bytes, poisoned.bytes())) {
                throw new StackOverflowError("decoder recursed (stub)");
            }
            return real.preprocess(bytes);
        }, real::preprocess, pool);

        List<IngestOutcome> outcomes = pipeline.process(List.of(
                arrival("before", before.contentType(), before.bytes(), null),
                arrival("poisoned", poisoned.contentType(), poisoned.bytes(), null),
                arrival("after", after.contentType(), after.bytes(), null)));

        assertThat(outcomes).extracting(IngestOutcome::scanId).containsExactly("before", "poisoned", "after");
        assertThat(outcomes.get(0)).isInstanceOf(IngestOutcome.Accepted.class);
        var rejection = ((IngestOutcome.Rejected) outcomes.get(1)).rejection();
        assertThat(rejection.reason()).isEqualTo(RejectionReason.INTERNAL);
        assertThat(rejection.detail()).contains("StackOverflowError", "decoder recursed");
        assertThat(outcomes.get(2)).isInstanceOf(IngestOutcome.Accepted.class);
        // The observer hears of every record once, in record order, on the caller's thread.
        assertThat(observed).containsExactly("before", "poisoned", "after");
        assertThat(observerThreads).containsExactly(Thread.currentThread());
    }

    @Test
    void withFourWorkersTheDecodesOfABatchOverlap() {
        // Each decode waits until the other has started: one after another, the first would give up (an INTERNAL
        // rejection) after 5 s instead of being accepted. The preemptive timeout keeps a bug from hanging the build.
        CountDownLatch bothStarted = new CountDownLatch(2);
        ScanPreprocessor real = new ScanPreprocessor(DecodeLimits.DEFAULT);
        IngestPipeline pipeline = new IngestPipeline(POLICY, KEY, IngestPipeline.Observer.NONE, bytes -> {
            bothStarted.countDown();
            try {
                if (!bothStarted.await(5, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the other decode never started alongside this one");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            return real.preprocess(bytes);
        }, real::preprocess, pool);
        SyntheticScan first = generator.scan(20);
        SyntheticScan second = generator.scan(21);

        List<IngestOutcome> outcomes = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> pipeline.process(List.of(
                arrival("first", first.contentType(), first.bytes(), null),
                arrival("second", second.contentType(), second.bytes(), null))));

        assertThat(outcomes).extracting(ParallelDecodingTest::describe).allMatch(d -> d.startsWith("ACCEPTED"),
                "both decodes ran at once");
    }

    @Test
    void sequentiallyTheSameOverlappingDecodesDoNotOverlap() {
        // The control of the test above: on the calling thread the first decode waits alone and gives up.
        CountDownLatch bothStarted = new CountDownLatch(2);
        ScanPreprocessor real = new ScanPreprocessor(DecodeLimits.DEFAULT);
        IngestPipeline pipeline = new IngestPipeline(POLICY, KEY, IngestPipeline.Observer.NONE, bytes -> {
            bothStarted.countDown();
            try {
                if (!bothStarted.await(200, TimeUnit.MILLISECONDS)) {
                    throw new IllegalStateException("the other decode never started alongside this one");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            return real.preprocess(bytes);
        }, real::preprocess, IngestPipeline.ON_CALLING_THREAD);
        SyntheticScan first = generator.scan(20);
        SyntheticScan second = generator.scan(21);

        List<IngestOutcome> outcomes = pipeline.process(List.of(
                arrival("first", first.contentType(), first.bytes(), null),
                arrival("second", second.contentType(), second.bytes(), null)));

        assertThat(kinds(outcomes)).containsExactly("INTERNAL", "ACCEPTED");
    }

    @Test
    void aCallerInterruptedWhileWaitingForTheDecodesGetsNoOutcomesButAnException() throws Exception {
        // No partial list: the consumer then fails the batch's transaction and the batch is read again.
        CountDownLatch decoding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ScanPreprocessor real = new ScanPreprocessor(DecodeLimits.DEFAULT);
        IngestPipeline pipeline = new IngestPipeline(POLICY, KEY, IngestPipeline.Observer.NONE, bytes -> {
            decoding.countDown();
            try {
                release.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return real.preprocess(bytes);
        }, real::preprocess, pool);
        SyntheticScan scan = generator.scan(30);
        java.util.concurrent.atomic.AtomicReference<Object> result = new java.util.concurrent.atomic.AtomicReference<>();
        Thread caller = new Thread(() -> {
            try {
                result.set(pipeline.process(List.of(arrival("waiting", scan.contentType(), scan.bytes(), null))));
            } catch (RuntimeException e) {
                result.set(e);
            }
        });
        try {
            caller.start();
            assertThat(decoding.await(10, TimeUnit.SECONDS)).isTrue();
            caller.interrupt();
            caller.join(10_000);
        } finally {
            release.countDown();
        }
        assertThat(result.get()).isInstanceOf(IllegalStateException.class);
        assertThat(((Exception) result.get()).getMessage()).contains("interrupted");
    }

    private IngestPipeline pipeline(java.util.concurrent.Executor decodes, SyntheticScan recalled) {
        IngestPipeline pipeline = new IngestPipeline(POLICY, KEY, IngestPipeline.Observer.NONE, decodes);
        pipeline.recall("recalled", Sha256.hex(recalled.bytes()));
        return pipeline;
    }

    private static List<String> kinds(List<IngestOutcome> outcomes) {
        return outcomes.stream().map(o -> o instanceof IngestOutcome.Rejected r ? r.rejection().reason().name()
                : "ACCEPTED").toList();
    }

    /** Everything an outcome publishes, pixels included (as their hash). */
    private static String describe(IngestOutcome outcome) {
        if (outcome instanceof IngestOutcome.Accepted a) {
            var scan = a.scan();
            return "ACCEPTED " + scan.scanId() + " " + scan.device() + " " + scan.patientPseudonym() + " "
                    + scan.contentSha256() + " " + scan.sourceFormat() + " " + scan.sourceWidth() + "x"
                    + scan.sourceHeight() + " " + a.sourcePixelType() + " " + a.payloadBytes() + " "
                    + Sha256.hex(scan.image().pixels()) + " " + a.differingSubject();
        }
        var r = ((IngestOutcome.Rejected) outcome).rejection();
        return "REJECTED " + r.scanId() + " " + r.source() + " " + r.reason() + " " + r.detail() + " " + r.stage()
                + " " + outcome.payloadBytes();
    }
}
