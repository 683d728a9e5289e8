package io.scanstream.benchmarks;

import io.scanstream.core.artifact.BackboneManifest;
import io.scanstream.core.artifact.HeadArchitecture;
import io.scanstream.core.artifact.ModelArtifact;
import io.scanstream.core.artifact.ModelMetadata;
import io.scanstream.core.contract.EventCodecs;
import io.scanstream.core.contract.ScanPrediction;
import io.scanstream.core.contract.ScanPreprocessed;
import io.scanstream.core.contract.TopicSpec;
import io.scanstream.core.imaging.GreyImage;
import io.scanstream.core.imaging.ImageFormat;
import io.scanstream.core.integrity.Sha256;
import io.scanstream.inference.batching.BatchingPolicy;
import io.scanstream.inference.batching.DynamicBatcher;
import io.scanstream.inference.domain.BackboneLibrary;
import io.scanstream.inference.domain.BackboneLoader;
import io.scanstream.inference.domain.InferenceResult;
import io.scanstream.inference.domain.ModelVersions;
import io.scanstream.inference.domain.ScanInference;
import io.scanstream.inference.domain.ScanOutcomes;
import io.scanstream.inference.messaging.InferenceLoop;
import io.scanstream.model.DjlEnvironment;
import io.scanstream.model.backbone.BackboneArchitecture;
import io.scanstream.model.backbone.BackboneEngine;
import io.scanstream.model.backbone.BackboneSpec;
import io.scanstream.model.backbone.FeatureExtractor;
import io.scanstream.model.backbone.FeatureExtractors;
import io.scanstream.model.backbone.FeatureReadout;
import io.scanstream.model.head.ClassificationHead;
import io.scanstream.testing.kafka.EmbeddedKafkaBroker;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Inference throughput and latency, in one run on one machine:
 * <ol>
 *   <li>raw forward throughput (backbone + head, no Kafka traffic: the broker idles) at batch sizes 1, 8 and 32;</li>
 *   <li>end-to-end throughput through a real broker (in this JVM) with the dynamic batcher and the transactional
 *   loop, draining a backlog of preprocessed scans: the ratio to the raw throughput at the same batch size is the
 *   overhead of everything that is not the forward pass. Warm-up drains come first and are not counted: a cold
 *   broker and cold Kafka clients keep the JIT compiling for about a minute on 2 cores (its threads took about 30 %
 *   of the CPU of the first drain, still 10 % after 40 s), which a service in steady state does not;</li>
 *   <li>latency (acquisition → committed prediction seen by a consumer) at 50% of that maximum load.</li>
 * </ol>
 * Options: {@code --weights PATH} (default ../shared/models/mobilenet_v2_imagenet_backbone.pt when present, else
 * random init), {@code --backbone mobilenet_v2}, {@code --data-dir PATH} (real slices; default
 * ../shared/data/covid-ct when present, else synthetic), {@code --scans N} (backlog size, default 960),
 * {@code --seconds N} (per raw batch size, default 15), {@code --latency-seconds N} (default 40),
 * {@code --readout final|multi-scale} (default final), {@code --engine auto|pytorch|onnxruntime} (default auto: by
 * the weights file, ONNX Runtime for {@code .onnx}), {@code --batches 1,8,32} (the max batch sizes measured),
 * {@code --max-delay-ms N} (the batcher's wait, default 0 as {@code inference.batching.max-delay}'s),
 * {@code --warmup-seconds N} (backlogs are drained, not counted, until N seconds have passed; default 60; 0 = measure
 * cold),
 * {@code --rounds N} (default 3: each round measures raw then end to end at every batch size; medians are printed).
 * Each phase also prints the process's CPU per scan by thread group (see {@link ThreadCpu}).
 */
public final class InferenceThroughputBenchmark {

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = parse(args);
        DjlEnvironment.configure();
        BackboneArchitecture architecture = BackboneArchitecture.fromId(opts.getOrDefault("backbone", "mobilenet_v2"));
        Optional<Path> weights = Optional.ofNullable(opts.get("weights")).map(Path::of)
                .or(() -> Optional.of(Path.of("../shared/models/mobilenet_v2_imagenet_backbone.pt")).filter(Files::isRegularFile)
                        .filter(p -> architecture == BackboneArchitecture.MOBILENET_V2));
        int scans = Integer.parseInt(opts.getOrDefault("scans", "960"));
        int seconds = Integer.parseInt(opts.getOrDefault("seconds", "15"));
        int latencySeconds = Integer.parseInt(opts.getOrDefault("latency-seconds", "40"));
        if (opts.containsKey("data-dir")) {
            System.setProperty(BenchmarkImages.DATA_DIR_PROPERTY, opts.get("data-dir"));
        }
        String source = Files.isRegularFile(BenchmarkImages.dataDir().resolve("manifest.csv")) ? "real" : "synthetic";
        List<GreyImage> images = BenchmarkImages.preprocessed(source);

        System.out.printf(Locale.ROOT, "machine: %d cores, %s %s; JVM %s%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.name"), System.getProperty("os.arch"), System.getProperty("java.version"));
        FeatureReadout readout = FeatureReadout.fromId(opts.getOrDefault("readout", "final"));
        BackboneEngine engine = BackboneEngine.fromId(opts.getOrDefault("engine", "auto"));
        int[] batches = Arrays.stream(opts.getOrDefault("batches", "1,8,32").split(","))
                .mapToInt(Integer::parseInt).toArray();
        Duration maxDelay = Duration.ofMillis(Long.parseLong(opts.getOrDefault("max-delay-ms", "0")));
        Duration warmup = Duration.ofSeconds(Long.parseLong(opts.getOrDefault("warmup-seconds", "60")));
        int rounds = Integer.parseInt(opts.getOrDefault("rounds", "3"));
        try (FeatureExtractor extractor = FeatureExtractors.load(new BackboneSpec(architecture, weights, readout,
                engine), 42);
             ClassificationHead head = ClassificationHead.randomlyInitialised(
                     HeadArchitecture.standard(extractor.featureDim(), 0.2), 7)) {
            System.out.printf("backbone %s on %s, engine %s (%s), %d %s images%n", extractor.backboneId(),
                    extractor.device(), extractor.engine(), weights.map(Path::toString).orElse("random init"),
                    images.size(), source);

            try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
                long warmupEnd = System.nanoTime() + warmup.toNanos();
                for (int i = 1; System.nanoTime() < warmupEnd; i++) {
                    try (Pipeline pipeline = new Pipeline(broker, extractor, head, batches[0], maxDelay)) {
                        System.out.printf(Locale.ROOT, "warm-up drain %d, max batch %2d, not counted: %.1f scans/s%n",
                                i, batches[0], pipeline.drainBacklog(images, scans));
                    }
                }
                // Rounds alternate the baseline and the pipeline, batch size by batch size, so that each ratio
                // compares two measurements taken side by side (this VM's speed drifts by ±20 % over minutes).
                Map<Integer, List<double[]>> measured = new LinkedHashMap<>();
                for (int round = 1; round <= rounds; round++) {
                    for (int batch : batches) {
                        double raw = rawThroughput(extractor, head, images, batch, Duration.ofSeconds(seconds));
                        double endToEnd;
                        try (Pipeline pipeline = new Pipeline(broker, extractor, head, batch, maxDelay)) {
                            endToEnd = pipeline.drainBacklog(images, scans);
                        }
                        measured.computeIfAbsent(batch, b -> new ArrayList<>()).add(new double[] {raw, endToEnd});
                        System.out.printf(Locale.ROOT, "round %d, batch %2d: raw forward %.1f scans/s; end to end (broker + batcher + transactions, backlog of %d) %.1f scans/s = %.0f%% of raw%n",
                                round, batch, raw, scans, endToEnd, 100 * endToEnd / raw);
                    }
                }
                System.out.printf(Locale.ROOT, "median of %d rounds [min-max]:%n", rounds);
                Map<Integer, Double> endToEnd = new LinkedHashMap<>();
                for (Map.Entry<Integer, List<double[]>> e : measured.entrySet()) {
                    double[] raw = e.getValue().stream().mapToDouble(m -> m[0]).toArray();
                    double[] e2e = e.getValue().stream().mapToDouble(m -> m[1]).toArray();
                    double[] ratio = e.getValue().stream().mapToDouble(m -> 100 * m[1] / m[0]).toArray();
                    endToEnd.put(e.getKey(), median(e2e));
                    System.out.printf(Locale.ROOT, "batch %2d: raw forward %s scans/s; end to end %s scans/s; end to end / raw %s %%%n",
                            e.getKey(), spread(raw), spread(e2e), spread(ratio));
                }
                int best = endToEnd.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
                double rate = endToEnd.get(best) / 2;
                try (Pipeline pipeline = new Pipeline(broker, extractor, head, best, maxDelay)) {
                    double[] latency = pipeline.latencyAt(images, rate, Duration.ofSeconds(latencySeconds));
                    System.out.printf(Locale.ROOT, "latency, max batch %d, at %.1f scans/s (50%% of its median max): p50 %.0f ms, p99 %.0f ms (n=%d)%n",
                            best, rate, latency[0], latency[1], (long) latency[2]);
                }
            }
        }
        System.exit(0);
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static String spread(double[] values) {
        return String.format(Locale.ROOT, "%.1f [%.1f-%.1f]", median(values), Arrays.stream(values).min().orElseThrow(),
                Arrays.stream(values).max().orElseThrow());
    }

    private static double rawThroughput(FeatureExtractor extractor, ClassificationHead head, List<GreyImage> images,
                                        int batch, Duration duration) {
        for (int i = 0; i < 3; i++) { // warm-up at this shape
            head.probabilities(extractor.embed(slice(images, i * batch, batch), batch));
        }
        long end = System.nanoTime() + duration.toNanos();
        Map<String, Long> cpuBefore = ThreadCpu.snapshot();
        long start = System.nanoTime();
        long done = 0;
        int next = 0;
        while (System.nanoTime() < end) {
            head.probabilities(extractor.embed(slice(images, next, batch), batch));
            next += batch;
            done += batch;
        }
        double rate = done / ((System.nanoTime() - start) / 1e9);
        printCpu("raw forward, batch " + batch, cpuBefore, ThreadCpu.snapshot(), done);
        return rate;
    }

    /** Where the process's CPU went, per scan, by thread group (the engine's native threads included). */
    private static void printCpu(String what, Map<String, Long> before, Map<String, Long> after, long scans) {
        String groups = ThreadCpu.msPerItem(before, after, scans).entrySet().stream()
                .map(e -> String.format(Locale.ROOT, "%s %.2f", e.getKey(), e.getValue()))
                .collect(java.util.stream.Collectors.joining(", "));
        System.out.printf(Locale.ROOT, "  CPU ms per scan, %s: %s%n", what, groups);
    }

    private static List<GreyImage> slice(List<GreyImage> images, int from, int n) {
        List<GreyImage> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(images.get(Math.floorMod(from + i, images.size())));
        }
        return out;
    }

    /** The production loop and batcher on a broker of their own, plus a producer and a committed-read consumer. */
    private static final class Pipeline implements AutoCloseable {
        private final EmbeddedKafkaBroker broker;
        private final String input = "bench-preprocessed-" + UUID.randomUUID();
        private final String predictions = "bench-predictions-" + UUID.randomUUID();
        private final DynamicBatcher<ScanPreprocessed, InferenceResult> batcher;
        private final InferenceLoop loop;
        private final Thread loopThread;
        private final KafkaProducer<String, byte[]> producer;
        private final KafkaConsumer<String, byte[]> consumer;
        private int sent;

        Pipeline(EmbeddedKafkaBroker broker, FeatureExtractor extractor, ClassificationHead head, int maxBatch,
                 Duration maxDelay) {
            this.broker = broker;
            broker.createTopics(List.of(new TopicSpec(input, 3, Map.of()), new TopicSpec(predictions, 3, Map.of()),
                    new TopicSpec(predictions + ".emb", 3, Map.of()), new TopicSpec(predictions + ".rej", 1, Map.of())));
            ModelVersions versions = servingOnly(extractor);
            byte[] w = head.weightsBytes();
            versions.offer(new ModelArtifact(new ModelMetadata("bench", "v1", OffsetDateTime.now(), extractor.backboneId(),
                    head.architecture(), null, Sha256.hex(w), null, null), w));
            batcher = new DynamicBatcher<>("bench-batcher", BatchingPolicy.powersOfTwo(maxBatch, maxDelay, 256),
                    new ScanInference(versions), DynamicBatcher.Listener.NONE);
            Map<String, Object> clients = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                    ProducerConfig.LINGER_MS_CONFIG, 5);
            loop = new InferenceLoop(new InferenceLoop.Settings("bench-" + UUID.randomUUID(),
                    "bench-tx-" + UUID.randomUUID(), input, predictions, predictions + ".emb", predictions + ".rej", 64,
                    Duration.ofMillis(100), false, Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                    clients), batcher, new ScanOutcomes(Clock.systemUTC()),
                    InferenceLoop.Observer.NONE);
            producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                    ProducerConfig.LINGER_MS_CONFIG, 0), new StringSerializer(), new ByteArraySerializer());
            consumer = new io.scanstream.testing.kafka.KafkaTestClient(broker.bootstrapServers()).newConsumer();
            consumer.subscribe(List.of(predictions));
            loopThread = new Thread(loop, "bench-loop");
        }

        /** Networks served from the benchmark's backbone only (no published backbones: nothing to assemble). */
        private static ModelVersions servingOnly(FeatureExtractor extractor) {
            BackboneLoader loader = new BackboneLoader() {
                @Override
                public String bootstrapId() {
                    return extractor.backboneId();
                }

                @Override
                public FeatureExtractor loadBootstrap() {
                    return extractor;
                }

                @Override
                public FeatureExtractor load(BackboneManifest manifest, Path weights) {
                    throw new UnsupportedOperationException("the benchmark serves one backbone");
                }

                @Override
                public void warmUp(FeatureExtractor backbone) {
                }
            };
            try {
                return new ModelVersions("bench", loader, new BackboneLibrary(Path.of("target/bench-backbones")),
                        ModelVersions.Observer.NONE);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        /**
         * Loads a backlog, starts the loop, and times the stream of committed predictions from the first to the
         * last (steady-state throughput, without the consumer group's start).
         */
        double drainBacklog(List<GreyImage> images, int n) {
            for (int i = 0; i < n; i++) {
                send(images.get(i % images.size()));
            }
            producer.flush();
            loopThread.start();
            // Steady state: from the first committed prediction to the last (the group join is not throughput).
            Set<String> seen = new HashSet<>();
            long first = 0;
            int atFirst = 0;
            Map<String, Long> cpuAtFirst = Map.of();
            while (seen.size() < n) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(20))) {
                    seen.add(r.key());
                }
                if (first == 0 && !seen.isEmpty()) {
                    first = System.nanoTime();
                    atFirst = seen.size();
                    cpuAtFirst = ThreadCpu.snapshot();
                }
            }
            double rate = (n - atFirst) / ((System.nanoTime() - first) / 1e9);
            printCpu("end to end (broker in this process)", cpuAtFirst, ThreadCpu.snapshot(), n - atFirst);
            return rate;
        }

        /** Sends at a steady rate; returns p50 and p99 latency in ms (first 5 s excluded) and the sample count. */
        double[] latencyAt(List<GreyImage> images, double rate, Duration duration) throws InterruptedException {
            loopThread.start();
            List<Double> latencies = new ArrayList<>();
            long intervalNanos = (long) (1e9 / rate);
            long start = System.nanoTime();
            long next = start;
            long end = start + duration.toNanos();
            long warmupEnd = start + Duration.ofSeconds(5).toNanos();
            int first = sent;
            int expected = 0;
            while (System.nanoTime() < end || latencies.size() + skipped < expected) {
                long now = System.nanoTime();
                if (now >= next && now < end) {
                    send(images.get(sent % images.size()));
                    expected++;
                    next += intervalNanos;
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(2))) {
                    ScanPrediction p = EventCodecs.PREDICTED.fromRecord(r);
                    int index = Integer.parseInt(p.scanId().substring(p.scanId().lastIndexOf('-') + 1));
                    if (index < first) {
                        continue;
                    }
                    double ms = Duration.between(p.acquiredAt(), OffsetDateTime.now()).toNanos() / 1e6;
                    if (System.nanoTime() > warmupEnd) {
                        latencies.add(ms);
                    } else {
                        skipped++;
                    }
                }
                if (System.nanoTime() > end + Duration.ofSeconds(60).toNanos()) {
                    break;
                }
            }
            double[] sorted = latencies.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            return new double[] {percentile(sorted, 0.50), percentile(sorted, 0.99), sorted.length};
        }

        private int skipped;

        private void send(GreyImage image) {
            String id = "bench-" + sent++;
            producer.send(EventCodecs.PREPROCESSED.toRecord(input, new ScanPreprocessed(id, URI.create("/devices/bench"),
                    OffsetDateTime.now(), null, "00", ImageFormat.PNG, image.width(), image.height(), image)));
        }

        private static double percentile(double[] sorted, double q) {
            return sorted.length == 0 ? Double.NaN : sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
        }

        @Override
        public void close() throws InterruptedException {
            loop.close();
            if (loopThread.isAlive()) {
                loopThread.join(30_000);
            }
            batcher.close();
            producer.close();
            consumer.close();
        }
    }

    static Map<String, String> parse(String[] args) {
        Map<String, String> opts = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --option value pairs, got " + Arrays.toString(args));
            }
            opts.put(args[i].substring(2), args[i + 1]);
        }
        return opts;
    }
}
