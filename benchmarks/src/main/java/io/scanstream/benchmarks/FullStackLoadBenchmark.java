package io.scanstream.benchmarks;

import io.scanstream.core.artifact.HeadArchitecture;
import io.scanstream.core.artifact.ModelArtifact;
import io.scanstream.core.artifact.ModelMetadata;
import io.scanstream.core.contract.EventCodecs;
import io.scanstream.core.contract.ModelPublished;
import io.scanstream.core.contract.Topics;
import io.scanstream.core.integrity.Sha256;
import io.scanstream.model.DjlEnvironment;
import io.scanstream.model.backbone.BackboneArchitecture;
import io.scanstream.model.backbone.BackboneEngine;
import io.scanstream.model.backbone.BackboneSpec;
import io.scanstream.model.backbone.FeatureExtractors;
import io.scanstream.model.backbone.FeatureReadout;
import io.scanstream.model.backbone.OnnxExport;
import io.scanstream.model.head.ClassificationHead;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The full-stack load generator: broker + ingest + inference as the local stack runs them ({@link LoadStack}), scans
 * sent as devices send them and outcomes read as clients read them ({@link ScanTraffic}); CPU-seconds per scan and
 * RSS per process from /proc ({@link ProcessUsage}), and each window's CPU per scan by thread group of each
 * process ({@link ThreadCpu}: a JIT still compiling shows as its own row). Not a test: numbers go to docs/benchmarks.md.
 *
 * <p>{@code benchmarks/run stack [options]}:
 * <ul>
 *   <li>{@code --engine onnxruntime|pytorch} inference's engine [onnxruntime, the local stack's default];</li>
 *   <li>{@code --weights PATH} backbone weights [../shared/models/mobilenet_v2_imagenet_backbone.onnx for
 *   onnxruntime, .pt for pytorch, when present; else the seeded random MobileNetV2, labelled so];
 *   {@code --random-weights} forces the random one;</li>
 *   <li>{@code --publish-backbone int8|float32}: serve the weights as inference serves a fine-tuned version: published
 *   on {@code models.backbones} as a fine-tuning run publishes them ({@link PublishedBackbone}: DJL parameters, the
 *   int8 ranges calibrated on 64 of the scans for {@code int8}), with {@code --readout final|multi-scale}
 *   [multi-scale, the service's]; the head names the published backbone. Without it inference serves the bootstrap
 *   file with the final readout;</li>
 *   <li>{@code --data-dir PATH} scans [../shared/data/covid-ct when present, else synthetic phantoms];</li>
 *   <li>fixed rate: {@code --rate N} scans/s [20] for {@code --seconds N} [60] after {@code --warmup-seconds N} [15]
 *   at {@code --warmup-rate N} [the rate] and the drain of the warm-up's backlog; the window's latency is also
 *   printed by 5 s of send time ({@link SendTimeSlices}: where in the window the slow scans were sent);</li>
 *   <li>{@code --find-max}: steps from {@code --start-rate} [10] times {@code --step-factor} [1.25] every
 *   {@code --step-seconds} [15] until a step does not keep up (backlog grows by more than 10% of the step's scans
 *   plus 5, or fewer than 90% of the offered scans come out) or {@code --max-seconds} [240] of stepping pass;
 *   with {@code --warmup-seconds N} [none: a cold ramp] it first sends N s at {@code --warmup-rate} [the start rate],
 *   not measured, and waits for that backlog to drain;</li>
 *   <li>{@code --stage-latency}: also reads {@code scans.preprocessed} (read_committed) and splits each window's
 *   latency by stage ({@link StageLatency}); the extra consumer costs the broker a fetch of every preprocessed
 *   scan; {@code --marks-csv FILE} (implies it) writes each measured scan's marks, to see when the slow ones came;</li>
 *   <li>{@code --ingest-properties K=V[,K=V]}, {@code --inference-properties K=V[,K=V]}: configuration for one
 *   service over its defaults (system properties), to try a setting without rebuilding;
 *   {@code --ingest-jvm-options "OPTION[ OPTION]"}, {@code --inference-jvm-options ...},
 *   {@code --broker-jvm-options ...}: JVM options after the local stack's own (for a flag the later one wins:
 *   {@code "-XX:-UseParallelGC -XX:+UseG1GC"} runs ingest on G1, as before 2026-12-06).</li>
 *   <li>{@code --swap-at N} (fixed rate, {@code --publish-backbone int8}): N s into the measured window, publishes a
 *   second version on a second backbone (the same weights, int8 ranges calibrated on another sample of the scans, so
 *   another id and the same cost) as a fine-tuning run would, and prints the window's latency by 5 s of send time
 *   with the swap, inference's native-heap trim after it (its counters polled from the warm-up on) and the new
 *   backbone's first prediction marked ({@link SwapTimeline}): what a swap under load costs the scans around it.
 *   For the trim to fall inside the window, give {@code --seconds} at least N + 60 (the trim comes 30-50 s after the
 *   swap: {@code inference.memory.quiet-before-trim}, 30 s, checked every 10 s).</li>
 * </ul>
 */
public final class FullStackLoadBenchmark {

    private static final String MODEL_NAME = "covid-head"; // inference's default inference.model.name

    /** One measured window: what was offered and came out, the latencies, and each process's CPU and RSS. */
    record Window(String label, double offeredRate, long sent, long outcomes, double seconds, long backlogBefore,
                  long backlogAfter, Map<String, Double> cpuSeconds, Map<String, Long> rssPeakKb,
                  Map<String, Long> rssEndKb, long fromIndex, long toIndex) {

        double achievedRate() {
            return outcomes / seconds;
        }

        long backlogGrowth() {
            return backlogAfter - backlogBefore;
        }

        boolean keptUp() {
            return backlogGrowth() <= 0.1 * sent + 5 && outcomes >= 0.9 * sent;
        }

        double cpuMillisPerScan(String process) {
            return outcomes == 0 ? Double.NaN : 1000 * cpuSeconds.get(process) / outcomes;
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = parse(args);
        DjlEnvironment.configure();
        Path home = Path.of("").toAbsolutePath();
        String engine = opts.getOrDefault("engine", "onnxruntime");
        if (!List.of("onnxruntime", "pytorch").contains(engine)) {
            throw new IllegalArgumentException("--engine must be onnxruntime or pytorch");
        }
        Optional<Path> weights = opts.containsKey("random-weights") ? Optional.empty()
                : Optional.ofNullable(opts.get("weights")).map(Path::of).or(() -> Optional.of(
                        Path.of("../shared/models/mobilenet_v2_imagenet_backbone" + (engine.equals("pytorch") ? ".pt" : ".onnx")))
                        .filter(Files::isRegularFile));
        weights.filter(w -> !Files.isRegularFile(w)).ifPresent(w -> {
            throw new IllegalArgumentException("--weights " + w + " is not a file");
        });
        if (opts.containsKey("data-dir")) {
            System.setProperty(BenchmarkImages.DATA_DIR_PROPERTY, opts.get("data-dir"));
        }
        String source = Files.isRegularFile(BenchmarkImages.dataDir().resolve("manifest.csv")) ? "real" : "synthetic";
        List<byte[]> images = BenchmarkImages.load(source, 120);
        boolean findMax = opts.containsKey("find-max");

        System.out.println(MachineInfo.describe());
        System.out.printf(Locale.ROOT, "load average before: %s%n", MachineInfo.loadAverage());
        BackboneSpec spec = new BackboneSpec(BackboneArchitecture.MOBILENET_V2, weights, FeatureReadout.FINAL,
                BackboneEngine.fromId(engine));
        String weightsLabel = weights.map(Path::toString).orElse("RANDOM MobileNetV2 (seeded init; no weights file)");
        Optional<PublishedBackbone> published = published(opts, weights, source, 0);
        Optional<PublishedBackbone> swapTo = swapTo(opts, weights, source, published);
        String backboneId = published.isPresent() ? published.get().manifest().backboneId()
                : FeatureExtractors.backboneId(spec);
        if (published.isPresent()) {
            weightsLabel += String.format(Locale.ROOT, " published on %s as a fine-tuned version: %s readout, %s",
                    Topics.MODELS_BACKBONES, published.get().manifest().readout(),
                    published.get().manifest().servedQuantised().map(q -> "int8 (" + q.activationRanges().length
                            + " activation ranges from " + OnnxExport.DEFAULT_CALIBRATION_IMAGES + " of the scans)")
                            .orElse("float32"));
        }
        System.out.printf("inference: engine %s, backbone %s, weights %s; scans: %d %s images%n", engine, backboneId,
                weightsLabel, images.size(), source.equals("real") ? "real COVID-CT" : "SYNTHETIC phantom");

        List<Window> windows = new ArrayList<>();
        Optional<Swap> swap = Optional.empty();
        Map<String, Long> pids;
        LoadStack.Overrides ingest = overrides(opts, "ingest");
        LoadStack.Overrides inference = overrides(opts, "inference");
        List<String> brokerJvmOptions = overrides(opts, "broker").jvmOptions();
        if (!ingest.equals(LoadStack.Overrides.NONE) || !inference.equals(LoadStack.Overrides.NONE)
                || !brokerJvmOptions.isEmpty()) {
            System.out.printf("settings over the local stack's: broker JVM %s, ingest %s, inference %s%n",
                    brokerJvmOptions, ingest, inference);
        }
        try (LoadStack stack = LoadStack.start(home, engine, weights, brokerJvmOptions, ingest, inference)) {
            pids = new LinkedHashMap<>(stack.pids());
            pids.put("load generator", ProcessHandle.current().pid());
            System.out.printf("stack up: pids %s; logs %s%n", pids, stack.logs());
            publishModel(stack, published, backboneId,
                    published.map(PublishedBackbone::featureDim).orElse(BackboneArchitecture.MOBILENET_V2.featureDim()),
                    "load-v1");
            var o = stack.options();
            try (ScanTraffic traffic = new ScanTraffic(o.bootstrapServers(), o.topic(Topics.SCANS_ARRIVED),
                    o.topic(Topics.SCANS_PREDICTIONS), o.topic(Topics.SCANS_REJECTED),
                    opts.containsKey("stage-latency") || opts.containsKey("marks-csv")
                            ? o.topic(Topics.SCANS_PREPROCESSED) : null, images)) {
                awaitFirstPrediction(traffic, backboneId);
                if (findMax) {
                    findMax(stack, traffic, pids, opts, windows);
                } else {
                    double rate = positive(opts, "rate", 20);
                    // The swap's watch scrapes inference from the warm-up on, so that what its first scrapes cost
                    // (the scrape path compiled in inference and here) falls in the warm-up, not the window.
                    swap = swapTo.map(b -> new Swap(stack, b));
                    warmUp(traffic, (long) positive(opts, "warmup-seconds", 15), positive(opts, "warmup-rate", rate));
                    long swapAt = (long) positive(opts, "swap-at", 1);
                    swap.ifPresent(s -> s.publishAfter(swapAt));
                    windows.add(measure(String.format(Locale.ROOT, "fixed %.1f/s", rate), rate,
                            Duration.ofSeconds((long) positive(opts, "seconds", 60)), traffic, pids));
                }
                Window last = windows.get(windows.size() - 1);
                boolean drained = traffic.awaitOutcomes(windows.get(0).fromIndex(), last.toIndex(), Duration.ofSeconds(60));
                if (!drained) {
                    System.out.printf("after 60 s, %d scans still had no outcome (counted as missing)%n",
                            traffic.outstanding());
                }
                System.out.printf(Locale.ROOT, "load average after: %s; send failures: %d%n", MachineInfo.loadAverage(),
                        traffic.sendFailures());
                stack.dead().ifPresent(p -> System.out.println("WARNING: " + p + " died during the run; see " + stack.logs()));
                System.out.println();
                System.out.println(report(windows, traffic, pids.keySet(), findMax, engine, backboneId, weightsLabel, source));
                System.out.printf("predictions of this run's scans by backbone (warm-up included): %s%n",
                        traffic.predictionsByBackbone());
                if (!findMax) {
                    Window window = windows.get(0);
                    List<ScanTraffic.Outcome> outcomes = traffic.outcomesOf(window.fromIndex(), window.toIndex());
                    // the window starts with its first scan's send: the slices count from it, the swap's events too
                    long windowStart = outcomes.stream().mapToLong(ScanTraffic.Outcome::sentMillis).min().orElse(0);
                    List<SendTimeSlices.Event> events = swap.isPresent() ? swap.get().finish(traffic, windowStart)
                            : List.of();
                    System.out.printf("%nThe window by 5 s of send time%s (latency in ms):%n%n| sent +s | scans | p50 |"
                            + " p99 | max | events |%n|---|---|---|---|---|---|%n", swap.isPresent() ? ", around the swap" : "");
                    SendTimeSlices.rows(outcomes, windowStart, 5, events).forEach(System.out::println);
                }
                if (swap.isPresent()) {
                    System.out.println("\ninference's log on the swaps and trims (its clock, HH:mm:ss.SSS):");
                    SwapTimeline.linesMentioning(stack.logs().resolve("inference-service.log"),
                            List.of("model.swapped", "native-heap.trimmed")).forEach(l -> System.out.println("  " + l));
                }
                if (opts.containsKey("marks-csv")) {
                    Path csv = Path.of(opts.get("marks-csv"));
                    Files.write(csv, StageLatency.csv(windows.stream()
                            .flatMap(w -> traffic.stageMarksOf(w.fromIndex(), w.toIndex()).stream()).toList()));
                    System.out.println("per-scan stage marks: " + csv);
                }
            }
        }
        System.exit(0);
    }

    /**
     * {@code --swap-at}: watches inference's swap and trim counters from the warm-up on, and publishes the second
     * version {@code afterSeconds} into the window (on a thread of its own, so the open-loop sending keeps its schedule).
     */
    private static final class Swap {
        private final LoadStack stack;
        private final PublishedBackbone backbone;
        private final SwapTimeline.CounterWatch watch;
        // [0] when the publication began, [1] when it was acknowledged (-1 until then)
        private final AtomicLongArray publishedMillis = new AtomicLongArray(new long[] {-1, -1});
        private Thread publisher;

        /** Before the warm-up: the watch starts now. */
        Swap(LoadStack stack, PublishedBackbone backbone) {
            this.stack = stack;
            this.backbone = backbone;
            this.watch = new SwapTimeline.CounterWatch(stack.options().inferenceManagementPort());
        }

        /** At the window's start: the publication {@code afterSeconds} later. */
        void publishAfter(long afterSeconds) {
            publisher = new Thread(() -> {
                try {
                    Thread.sleep(afterSeconds * 1000);
                    publishedMillis.set(0, System.currentTimeMillis());
                    publishModel(stack, Optional.of(backbone), backbone.manifest().backboneId(), backbone.featureDim(),
                            "load-v2");
                    publishedMillis.set(1, System.currentTimeMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (Exception e) {
                    System.out.println("WARNING: the swap's version could not be published: " + e);
                }
            }, "swap-publisher");
            publisher.setDaemon(true);
            publisher.start();
        }

        /**
         * After the drain: the swap's events (publication, inference's swap and trim, the new backbone's first); the
         * watch's events before the window (the first version's trim in the warm-up) are not the swap's.
         */
        List<SendTimeSlices.Event> finish(ScanTraffic traffic, long windowStartMillis) throws InterruptedException {
            publisher.join();
            watch.close();
            List<SendTimeSlices.Event> events = new ArrayList<>(watch.events().stream()
                    .filter(e -> e.millis() >= windowStartMillis).toList());
            if (publishedMillis.get(1) > 0) {
                events.add(new SendTimeSlices.Event(publishedMillis.get(0), String.format(Locale.ROOT,
                        "load-v2 published (%d ms)", publishedMillis.get(1) - publishedMillis.get(0))));
            }
            traffic.firstScoredMillis(backbone.manifest().backboneId()).ifPresent(t -> events.add(
                    new SendTimeSlices.Event(t, "first prediction by the new backbone seen")));
            events.sort(Comparator.comparingLong(SendTimeSlices.Event::millis));
            return events;
        }
    }

    /** The backbone to publish as a fine-tuned version, if {@code --publish-backbone} asks for one. */
    private static Optional<PublishedBackbone> published(Map<String, String> opts, Optional<Path> weights,
                                                         String source, int calibrationShift) throws IOException {
        String servedAs = opts.get("publish-backbone");
        if (servedAs == null) {
            if (opts.containsKey("readout")) {
                throw new IllegalArgumentException("--readout applies to a published backbone (--publish-backbone)");
            }
            return Optional.empty();
        }
        if (!List.of("int8", "float32").contains(servedAs)) {
            throw new IllegalArgumentException("--publish-backbone must be int8 or float32");
        }
        Path file = weights.orElseThrow(() -> new IllegalArgumentException(
                "--publish-backbone needs weights (--weights FILE); a random backbone is not published"));
        return Optional.of(PublishedBackbone.of(BackboneArchitecture.MOBILENET_V2, file,
                FeatureReadout.fromId(opts.getOrDefault("readout", FeatureReadout.MULTI_SCALE.id())),
                servedAs.equals("int8"), shifted(BenchmarkImages.preprocessed(source), calibrationShift),
                Path.of("benchmarks/target/published-backbone").toAbsolutePath()));
    }

    /**
     * The backbone {@code --swap-at} swaps to: the published one's weights and readout, int8 ranges calibrated on the
     * scans shifted by one (another sample), so inference loads, warms and swaps in a second network of the same cost.
     */
    private static Optional<PublishedBackbone> swapTo(Map<String, String> opts, Optional<Path> weights, String source,
                                                      Optional<PublishedBackbone> published) throws IOException {
        if (!opts.containsKey("swap-at")) {
            return Optional.empty();
        }
        if (opts.containsKey("find-max") || !"int8".equals(opts.get("publish-backbone"))) {
            throw new IllegalArgumentException("--swap-at needs a fixed rate and --publish-backbone int8");
        }
        if (positive(opts, "swap-at", 1) >= positive(opts, "seconds", 60)) {
            throw new IllegalArgumentException("--swap-at must fall inside the window (--seconds)");
        }
        PublishedBackbone next = published(opts, weights, source, 1).orElseThrow();
        if (next.manifest().backboneId().equals(published.orElseThrow().manifest().backboneId())) {
            throw new IllegalStateException("the second calibration sample gave the same ranges; no swap to measure");
        }
        return Optional.of(next);
    }

    private static <T> List<T> shifted(List<T> items, int by) {
        List<T> copy = new ArrayList<>(items);
        java.util.Collections.rotate(copy, -by);
        return copy;
    }

    /**
     * The published backbone (if any), then a randomly initialised head on the served backbone, signed as training
     * signs: the head's values do not change the cost.
     */
    private static void publishModel(LoadStack stack, Optional<PublishedBackbone> backbone, String backboneId,
                                     int featureDim, String version) throws IOException, InterruptedException,
            java.util.concurrent.ExecutionException {
        byte[] weights;
        HeadArchitecture architecture = HeadArchitecture.standard(featureDim, 0.2);
        try (ClassificationHead head = ClassificationHead.randomlyInitialised(architecture, 7)) {
            weights = head.weightsBytes();
        }
        ModelArtifact artifact = new ModelArtifact(new ModelMetadata(MODEL_NAME, version, OffsetDateTime.now(),
                backboneId, architecture, null, Sha256.hex(weights), null, null, null, null,
                backbone.map(b -> b.manifest().reference()).orElse(null), null), weights);
        var o = stack.options();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, o.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
                Math.max(Topics.MODEL_MAX_MESSAGE_BYTES, Topics.BACKBONE_MAX_MESSAGE_BYTES)),
                new StringSerializer(), new ByteArraySerializer())) {
            if (backbone.isPresent()) {
                backbone.get().publish(producer, o.topic(Topics.MODELS_BACKBONES));
            }
            producer.send(EventCodecs.signedModelRecord(o.topic(Topics.MODELS_PUBLISHED), new ModelPublished(artifact),
                    stack.signIn().modelSigner())).get();
        }
    }

    /**
     * One scan at a time until the head serves: a scored prediction (not UNDETERMINED) by the backbone it names, so
     * inference has swapped the version in and its first batch is behind it.
     */
    private static void awaitFirstPrediction(ScanTraffic traffic, String backboneId) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (traffic.scoredBy(backboneId) == 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no prediction by " + backboneId + " within 3 minutes of the first"
                        + " scan (predictions by backbone: " + traffic.predictionsByBackbone() + "); see the logs");
            }
            traffic.sendOne();
            Thread.sleep(500);
        }
        System.out.printf("first prediction by %s after %d scans (all outcomes so far by backbone: %s)%n", backboneId,
                traffic.sent(), traffic.predictionsByBackbone());
    }

    private static void findMax(LoadStack stack, ScanTraffic traffic, Map<String, Long> pids, Map<String, String> opts,
                                List<Window> windows) throws Exception {
        double rate = positive(opts, "start-rate", 10);
        double factor = positive(opts, "step-factor", 1.25);
        if (factor <= 1) {
            throw new IllegalArgumentException("--step-factor must be > 1");
        }
        Duration step = Duration.ofSeconds((long) positive(opts, "step-seconds", 15));
        if (opts.containsKey("warmup-seconds")) {
            // A warm stack: the JITs of four JVMs on two cores compile for minutes, which a cold ramp measures too.
            warmUp(traffic, (long) positive(opts, "warmup-seconds", 1), positive(opts, "warmup-rate", rate));
        }
        long budget = System.nanoTime() + Duration.ofSeconds((long) positive(opts, "max-seconds", 240)).toNanos();
        System.out.printf(Locale.ROOT, "find-max: from %.1f scans/s, x%.2f every %d s%n", rate, factor, step.toSeconds());
        while (System.nanoTime() + step.toNanos() <= budget) {
            Window w = measure(String.format(Locale.ROOT, "step %.1f/s", rate), rate, step, traffic, pids);
            windows.add(w);
            System.out.printf(Locale.ROOT, "  offered %.1f/s, achieved %.1f/s, backlog %+d -> %s%n", rate,
                    w.achievedRate(), w.backlogGrowth(), w.keptUp() ? "kept up" : "fell behind");
            if (!w.keptUp() || stack.dead().isPresent()) {
                return;
            }
            rate *= factor;
        }
        System.out.println("find-max: the time budget ended before a step fell behind");
    }

    /** Sends at {@code rate} for {@code seconds}, not measured, then waits (up to 60 s) for what it sent to come out. */
    private static void warmUp(ScanTraffic traffic, long seconds, double rate) throws InterruptedException {
        System.out.printf(Locale.ROOT, "warm-up: %d s at %.1f scans/s (not measured), then the backlog drains%n",
                seconds, rate);
        traffic.sendAt(rate, Duration.ofSeconds(seconds));
        if (!traffic.awaitOutcomes(0, traffic.sent(), Duration.ofSeconds(60))) {
            System.out.printf("the warm-up's backlog had not drained after 60 s: %d scans outstanding%n",
                    traffic.outstanding());
        }
    }

    private static Window measure(String label, double rate, Duration duration, ScanTraffic traffic,
                                  Map<String, Long> pids) throws Exception {
        Map<String, ProcessUsage> before = usage(pids);
        Map<String, Map<String, Long>> threadsBefore = threads(pids);
        Map<String, Long> peak = new ConcurrentHashMap<>();
        before.forEach((k, v) -> peak.put(k, v.rssKb()));
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    usage(pids).forEach((k, v) -> peak.merge(k, v.rssKb(), Math::max));
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                } catch (IOException e) {
                    return; // a process ended: the run reports it
                }
            }
        }, "rss-sampler");
        sampler.setDaemon(true);
        sampler.start();
        long backlogBefore = traffic.outstanding();
        long outcomesBefore = traffic.outcomeCount();
        Optional<PressureStall.Snapshot> stallBefore = PressureStall.read();
        long t0 = System.nanoTime();
        long[] range = traffic.sendAt(rate, duration);
        long t1 = System.nanoTime();
        Optional<PressureStall.Snapshot> stallAfter = PressureStall.read();
        if (stallBefore.isPresent() && stallAfter.isPresent()) {
            System.out.printf(Locale.ROOT, "  %s, %s%n", label,
                    PressureStall.describe(stallBefore.get(), stallAfter.get(), (t1 - t0) / 1e9));
        }
        long outcomes = traffic.outcomeCount() - outcomesBefore;
        long backlogAfter = traffic.outstanding();
        Map<String, ProcessUsage> after = usage(pids);
        Map<String, Map<String, Long>> threadsAfter = threads(pids);
        if (outcomes > 0) {
            for (String p : pids.keySet()) {
                String groups = ThreadCpu.msPerItem(threadsBefore.get(p), threadsAfter.get(p), outcomes).entrySet()
                        .stream().map(e -> String.format(Locale.ROOT, "%s %.2f", e.getKey(), e.getValue()))
                        .collect(java.util.stream.Collectors.joining(", "));
                System.out.printf(Locale.ROOT, "  %s, %s, CPU ms per scan by thread group: %s%n", label, p, groups);
            }
        }
        sampler.interrupt();
        sampler.join();
        Map<String, Double> cpu = new LinkedHashMap<>();
        Map<String, Long> end = new LinkedHashMap<>();
        for (String p : pids.keySet()) {
            cpu.put(p, after.get(p).cpuSeconds() - before.get(p).cpuSeconds());
            end.put(p, after.get(p).rssKb());
            peak.merge(p, after.get(p).rssKb(), Math::max);
        }
        return new Window(label, rate, range[1] - range[0], outcomes, (t1 - t0) / 1e9, backlogBefore, backlogAfter,
                cpu, new LinkedHashMap<>(peak), end, range[0], range[1]);
    }

    /** Per process, its threads' CPU by group (JIT compilers, the broker's request handlers, a service's loops). */
    private static Map<String, Map<String, Long>> threads(Map<String, Long> pids) {
        Map<String, Map<String, Long>> threads = new LinkedHashMap<>();
        pids.forEach((name, pid) -> threads.put(name, ThreadCpu.snapshot(pid)));
        return threads;
    }

    private static Map<String, ProcessUsage> usage(Map<String, Long> pids) throws IOException {
        Map<String, ProcessUsage> usage = new LinkedHashMap<>();
        for (var e : pids.entrySet()) {
            usage.put(e.getKey(), ProcessUsage.read(e.getValue()));
        }
        return usage;
    }

    static String report(List<Window> windows, ScanTraffic traffic, java.util.Collection<String> processes,
                         boolean findMax, String engine, String backboneId, String weights, String source) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "Engine %s, backbone %s (%s), %s scans. Latency: send of the ScanArrived"
                + " record (its acquiredAt) -> its committed outcome seen by a read_committed consumer.%n%n",
                engine, backboneId, weights, source.equals("real") ? "real COVID-CT" : "synthetic"));
        out.append("| window | offered scans/s | achieved scans/s | sent | outcomes in window | backlog change | "
                + "no outcome after drain | p50 ms | p95 ms | p99 ms | kept up |\n|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Window w : windows) {
            List<ScanTraffic.Outcome> done = traffic.outcomesOf(w.fromIndex(), w.toIndex());
            List<Double> latencies = done.stream().map(ScanTraffic.Outcome::latencyMillis).toList();
            long rejected = done.stream().filter(o -> !o.predicted()).count();
            String lat = latencies.isEmpty() ? "– | – | –" : String.format(Locale.ROOT, "%.0f | %.0f | %.0f",
                    LatencyPercentiles.of(latencies).p50(), LatencyPercentiles.of(latencies).p95(),
                    LatencyPercentiles.of(latencies).p99());
            out.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f | %d | %d%s | %+d | %d | %s | %s |%n", w.label(),
                    w.offeredRate(), w.achievedRate(), w.sent(), w.outcomes(),
                    rejected > 0 ? " (" + rejected + " rejected)" : "", w.backlogGrowth(), w.sent() - done.size(), lat,
                    w.keptUp() ? "yes" : "no"));
        }
        List<String> stageRows = windows.stream()
                .flatMap(w -> StageLatency.rows(w.label(), traffic.stageMarksOf(w.fromIndex(), w.toIndex())).stream())
                .toList();
        if (!stageRows.isEmpty()) {
            out.append("\nLatency by stage (wall clock, ms; each stage's mark is its output record's timestamp, taken at"
                    + " the send just before its commit):\n\n| window | segment | p50 | p95 | p99 | mean |\n|---|---|---|---|---|---|\n");
            stageRows.forEach(row -> out.append(row).append('\n'));
        }
        out.append("\n| window | process | CPU ms per scan | CPU cores busy | RSS peak MiB (sampled 1/s) | RSS at end MiB |\n"
                + "|---|---|---|---|---|---|\n");
        for (Window w : windows) {
            for (String p : processes) {
                out.append(String.format(Locale.ROOT, "| %s | %s | %.1f | %.2f | %.0f | %.0f |%n", w.label(), p,
                        w.cpuMillisPerScan(p), w.cpuSeconds().get(p) / w.seconds(), w.rssPeakKb().get(p) / 1024.0,
                        w.rssEndKb().get(p) / 1024.0));
            }
            double stack = processes.stream().filter(p -> !p.equals("load generator"))
                    .mapToDouble(w::cpuMillisPerScan).sum();
            String bottleneck = processes.stream().filter(p -> !p.equals("load generator"))
                    .max(Comparator.comparingDouble(w::cpuMillisPerScan)).orElseThrow();
            out.append(String.format(Locale.ROOT, "| %s | **stack (broker + ingest + inference)** | **%.1f** | %.2f | | |%n",
                    w.label(), stack, processes.stream().filter(p -> !p.equals("load generator"))
                            .mapToDouble(p -> w.cpuSeconds().get(p)).sum() / w.seconds()));
            out.append(String.format(Locale.ROOT, "| %s | most CPU per scan: **%s** | | | | |%n", w.label(), bottleneck));
        }
        if (findMax) {
            Optional<Window> best = windows.stream().filter(Window::keptUp).reduce((a, b) -> b);
            Window last = windows.get(windows.size() - 1);
            out.append(String.format(Locale.ROOT, "%nMaximum sustained rate: %s; %s%n",
                    best.map(w -> String.format(Locale.ROOT, "%.1f scans/s offered, %.1f achieved (%s)",
                            w.offeredRate(), w.achievedRate(), w.label())).orElse("no step kept up"),
                    last.keptUp() ? "the step budget ended before the stack fell behind (the maximum is higher)"
                            : String.format(Locale.ROOT, "the next step (%.1f/s offered) fell behind and put out %.1f scans/s",
                            last.offeredRate(), last.achievedRate())));
        }
        return out.toString();
    }

    private static double positive(Map<String, String> opts, String key, double fallback) {
        double value;
        try {
            value = Double.parseDouble(opts.getOrDefault(key, String.valueOf(fallback)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + key + " takes a number");
        }
        if (!(value > 0)) {
            throw new IllegalArgumentException("--" + key + " must be > 0");
        }
        return value;
    }

    /** {@code --SERVICE-properties K=V[,K=V]} and {@code --SERVICE-jvm-options "OPTION[ OPTION]"}. */
    static LoadStack.Overrides overrides(Map<String, String> opts, String service) {
        String jvmOptions = opts.getOrDefault(service + "-jvm-options", "").strip();
        return new LoadStack.Overrides(serviceProperties(opts.getOrDefault(service + "-properties", "")),
                jvmOptions.isEmpty() ? List.of() : List.of(jvmOptions.split("\\s+")));
    }

    /**
     * {@code K=V[,K=V...]} as system properties for one service, over its own defaults: a setting tried without
     * rebuilding (a JVM-wide option such as JAVA_TOOL_OPTIONS would reach every service, and a SmallRye channel
     * attribute given to a service that lacks the channel stops it).
     */
    static Map<String, String> serviceProperties(String list) {
        Map<String, String> properties = new LinkedHashMap<>();
        for (String pair : list.split(",")) {
            if (pair.isBlank()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("service property '" + pair + "' is not KEY=VALUE");
            }
            properties.put(pair.substring(0, eq).strip(), pair.substring(eq + 1).strip());
        }
        return properties;
    }

    static Map<String, String> parse(String[] args) {
        List<String> flags = List.of("find-max", "random-weights", "stage-latency");
        List<String> valued = List.of("engine", "weights", "data-dir", "rate", "seconds", "warmup-seconds",
                "warmup-rate", "start-rate", "step-factor", "step-seconds", "max-seconds", "marks-csv", "ingest-properties",
                "inference-properties", "ingest-jvm-options", "inference-jvm-options", "broker-jvm-options",
                "publish-backbone", "readout", "swap-at");
        Map<String, String> opts = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String key = args[i].startsWith("--") ? args[i].substring(2) : null;
            if (key != null && flags.contains(key)) {
                opts.put(key, "true");
            } else if (key != null && valued.contains(key)) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("option --" + key + " needs a value");
                }
                opts.put(key, args[++i]);
            } else {
                throw new IllegalArgumentException("unknown argument '" + args[i] + "'; options: --"
                        + String.join(", --", flags) + ", --" + String.join(" V, --", valued) + " V");
            }
        }
        return opts;
    }
}
