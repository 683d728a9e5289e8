package io.scanstream.benchmarks;

import io.scanstream.core.contract.ClinicalLabel;
import io.scanstream.core.contract.ScanPreprocessed;
import io.scanstream.core.imaging.GreyImage;
import io.scanstream.core.imaging.ImageFormat;
import io.scanstream.learning.data.LabelledImage;
import io.scanstream.learning.data.LabelledVectors;
import io.scanstream.learning.train.EpochObserver;
import io.scanstream.learning.train.HeadTrainer;
import io.scanstream.learning.train.HeadTrainingSettings;
import io.scanstream.learning.train.LearningRateSchedule;
import io.scanstream.learning.train.CyclicLearningRate;
import io.scanstream.training.domain.LabelledScan;
import io.scanstream.training.domain.TrainingExample;
import io.scanstream.training.domain.TrainingSet;
import io.scanstream.training.run.LabelledImages;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.URI;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The heap a training run needs, for docs/training.md ("Run memory"): what a head run holds in the service — the
 * training-set snapshot (labelled scans and the backbone's vectors), its rows, the train/validation vectors — built
 * with the service's own types, then the head trained on them with the service's trainer (its default widths and
 * batch size; two epochs: the heap does not grow with epochs). It prints the heap retained after a GC and the peak a
 * sampler saw while training (heap only: DJL's tensors are native memory, batch-sized), per 10 000 examples; then
 * the images a fine-tuning run holds ({@link LabelledImages}, 224x224 grey), per 1 000 images.
 *
 * <p>{@code benchmarks/run training-memory [--examples 10000] [--dims 1280,1952] [--images 1000] [--epochs 2]}
 */
public final class TrainingRunMemory {

    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();
    private static final OffsetDateTime T0 = OffsetDateTime.parse("2026-11-01T08:00:00Z");

    private TrainingRunMemory() {
    }

    public static void main(String[] args) throws Exception {
        int examples = 10_000;
        List<Integer> dims = List.of(1280, 1952);
        int images = 1_000;
        int epochs = 2;
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + args[i] + " needs a value");
            }
            String value = args[i + 1];
            switch (args[i]) {
                case "--examples" -> examples = Integer.parseInt(value);
                case "--dims" -> dims = java.util.Arrays.stream(value.split(",")).map(Integer::parseInt).toList();
                case "--images" -> images = Integer.parseInt(value);
                case "--epochs" -> epochs = Integer.parseInt(value);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (--examples, --dims, --images, --epochs)");
            }
        }
        System.out.printf(Locale.ROOT, "java %s, max heap %d MB, %d CPUs%n", System.getProperty("java.version"),
                Runtime.getRuntime().maxMemory() >> 20, Runtime.getRuntime().availableProcessors());
        for (int dim : dims) {
            head(examples, dim, epochs);
        }
        fineTuning(images);
    }

    private static void head(int n, int dim, int epochs) {
        long base = settledHeap();
        TrainingSet.Snapshot snapshot = snapshot(n, dim);
        List<TrainingExample> rows = snapshot.rows();
        int cut = n * 4 / 5;
        LabelledVectors train = LabelledVectors.of(rows.subList(0, cut), TrainingExample::vector,
                TrainingExample::covid);
        LabelledVectors validation = LabelledVectors.of(rows.subList(cut, n), TrainingExample::vector,
                TrainingExample::covid);
        long retained = settledHeap() - base;
        HeadTrainingSettings settings = new HeadTrainingSettings(List.of(512, 256, 128), 0.5, epochs, 32,
                new LearningRateSchedule(CyclicLearningRate.Mode.TRIANGULAR, 1e-4, 1e-3, 4, 1), 7, 0, 0);
        long[] peak = sampled(() -> new HeadTrainer().train(train, validation, settings, EpochObserver.NONE));
        long per10k = 10_000L;
        System.out.printf(Locale.ROOT, "head run: %d examples x %d floats: retained %.0f MB (%.0f MB per 10 000),"
                        + " peak while training %.0f MB above the baseline (%.0f MB per 10 000), %.1f s%n", n, dim,
                mb(retained), mb(retained * per10k / n), mb(peak[0] - base), mb((peak[0] - base) * per10k / n),
                peak[1] / 1e3);
        if (train.size() + validation.size() != n) {
            throw new IllegalStateException("lost rows");
        }
    }

    private static void fineTuning(int n) {
        long base = settledHeap();
        TrainingSet.Snapshot snapshot = snapshot(n, 4);
        Random random = new Random(11);
        Map<String, ScanPreprocessed> stored = new HashMap<>();
        for (LabelledScan scan : snapshot.labelled()) {
            byte[] pixels = new byte[224 * 224];
            random.nextBytes(pixels);
            stored.put(scan.scanId(), new ScanPreprocessed(scan.scanId(), URI.create("/devices/ct-1"), T0,
                    scan.patient(), "0".repeat(64), ImageFormat.PNG, 512, 512, new GreyImage(224, 224, pixels),
                    scan.origin()));
        }
        // What the run holds once the images are read (the topic reader's map is dropped after).
        List<LabelledImage> held = LabelledImages.of(snapshot.labelled(), ids -> stored);
        stored.clear();
        long retained = settledHeap() - base;
        System.out.printf(Locale.ROOT, "fine-tuning run: %d images of 224x224: retained %.0f MB (%.1f MB per 1 000)%n",
                held.size(), mb(retained), mb(retained * 1000L / n));
    }

    /** {@code n} labelled scans (two per patient, four origins) with a {@code dim}-float vector each. */
    private static TrainingSet.Snapshot snapshot(int n, int dim) {
        Random random = new Random(7);
        List<LabelledScan> labelled = new ArrayList<>(n);
        Map<String, float[]> vectors = new HashMap<>();
        for (int i = 0; i < n; i++) {
            String id = String.format(Locale.ROOT, "scan-%08d-%s", i, Long.toHexString(random.nextLong()));
            boolean covid = random.nextBoolean();
            labelled.add(new LabelledScan(id, covid ? ClinicalLabel.COVID : ClinicalLabel.NON_COVID, "dr-bench",
                    T0.plusMinutes(i), "patient-" + Long.toHexString(random.nextLong()) + "-" + i / 2,
                    "origin-" + i % 4, "/devices/ct-" + i % 8));
            float[] v = new float[dim];
            for (int d = 0; d < dim; d++) {
                v[d] = (float) random.nextGaussian() + (covid && d % 7 == 0 ? 0.5f : 0f);
            }
            vectors.put(id, v);
        }
        return new TrainingSet.Snapshot("mobilenet_v2+ms:bench", labelled, vectors);
    }

    /** The peak heap a sampler saw while {@code work} ran, and its milliseconds. */
    private static long[] sampled(Runnable work) {
        AtomicLong peak = new AtomicLong();
        AtomicBoolean done = new AtomicBoolean();
        Thread sampler = new Thread(() -> {
            while (!done.get()) {
                peak.accumulateAndGet(MEMORY.getHeapMemoryUsage().getUsed(), Math::max);
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "heap-sampler");
        sampler.setDaemon(true);
        sampler.start();
        long start = System.nanoTime();
        try {
            work.run();
        } finally {
            done.set(true);
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        try {
            sampler.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return new long[] {peak.get(), millis};
    }

    /** Heap in use after collections settle (a few full GCs, until it stops falling). */
    private static long settledHeap() {
        long last = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            long used = MEMORY.getHeapMemoryUsage().getUsed();
            if (used >= last) {
                return used;
            }
            last = used;
        }
        return last;
    }

    private static double mb(long bytes) {
        return bytes / (1024.0 * 1024.0);
    }
}
