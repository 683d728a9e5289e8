package io.scanstream.inference.messaging;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.scanstream.core.contract.ScanPreprocessed;
import io.scanstream.inference.batching.BatchingPolicy;
import io.scanstream.inference.batching.DynamicBatcher;
import io.scanstream.inference.config.InferenceConfig;
import io.scanstream.inference.domain.InferenceResult;
import io.scanstream.inference.domain.ModelVersions;
import io.scanstream.inference.domain.ScanInference;
import io.scanstream.inference.metrics.InferenceMetrics;
import io.scanstream.model.backbone.FeatureExtractor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.scanstream.core.imaging.GreyImage;
import io.scanstream.core.imaging.ScanPreprocessor;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Starts the batcher and the consume-infer-produce loop with the application, and stops them with it. */
@ApplicationScoped
public class InferencePipeline {

    private static final Logger LOG = Logger.getLogger(InferencePipeline.class);

    private final InferenceConfig config;
    private final FeatureExtractor backbone;
    private final ModelVersions versions;
    private final InferenceMetrics metrics;
    private final String bootstrapServers;
    private DynamicBatcher<ScanPreprocessed, InferenceResult> batcher;
    private InferenceLoop loop;
    private Thread loopThread;

    public InferencePipeline(InferenceConfig config, FeatureExtractor backbone, ModelVersions versions,
                             InferenceMetrics metrics,
                             @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) {
        this.config = config;
        this.backbone = backbone;
        this.versions = versions;
        this.metrics = metrics;
        this.bootstrapServers = bootstrapServers;
    }

    void start(@Observes StartupEvent event) {
        InferenceConfig.Batching b = config.batching();
        BatchingPolicy policy = b.buckets()
                .map(buckets -> new BatchingPolicy(b.maxBatchSize(), b.maxDelay(), b.queueCapacity(), buckets))
                .orElseGet(() -> BatchingPolicy.powersOfTwo(b.maxBatchSize(), b.maxDelay(), b.queueCapacity()));
        if (b.warmUp()) {
            warmUp(policy);
        }
        batcher = new DynamicBatcher<>("inference-batcher", policy, new ScanInference(backbone, versions), metrics);
        InferenceConfig.Kafka k = config.kafka();
        InferenceConfig.Topics t = config.topics();
        loop = new InferenceLoop(new InferenceLoop.Settings(bootstrapServers, k.groupId(), k.transactionalId(),
                t.preprocessed(), t.predictions(), t.embeddings(), t.rejected(), k.maxPollRecords(), k.commitInterval(),
                backbone.backboneId()), batcher, metrics, Clock.systemUTC());
        metrics.bind(backbone.backboneId(), backbone.device(), batcher::queued, loop::inFlight);
        // The loop's own clients (not SmallRye's) report lag and rates like the channels do.
        metrics.bindKafkaClients(loop.consumer(), loop.producer());
        loopThread = new Thread(loop, "inference-loop");
        loopThread.start();
        LOG.infof("inference.started backbone=%s device=%s maxBatch=%d maxDelay=%s buckets=%s", backbone.backboneId(),
                backbone.device(), policy.maxBatchSize(), policy.maxDelay(), policy.buckets());
    }

    /** One pass per bucket shape, before the loop starts (the batcher thread is not running yet). */
    private void warmUp(BatchingPolicy policy) {
        long start = System.nanoTime();
        GreyImage blank = new GreyImage(ScanPreprocessor.MODEL_INPUT_SIZE, ScanPreprocessor.MODEL_INPUT_SIZE,
                new byte[ScanPreprocessor.MODEL_INPUT_SIZE * ScanPreprocessor.MODEL_INPUT_SIZE]);
        for (int bucket : policy.buckets()) {
            backbone.embed(List.of(blank), bucket);
        }
        LOG.infof("inference.warmed-up buckets=%s took=%dms", policy.buckets(), (System.nanoTime() - start) / 1_000_000);
    }

    void stop(@Observes ShutdownEvent event) {
        if (loop == null) {
            return;
        }
        // The loop finishes and commits what is in flight, then the batcher (and the natives) can go.
        loop.close();
        try {
            loopThread.join(TimeUnit.SECONDS.toMillis(60));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        batcher.close();
    }

    public InferenceLoop loop() {
        return loop;
    }

    public DynamicBatcher<ScanPreprocessed, InferenceResult> batcher() {
        return batcher;
    }
}
