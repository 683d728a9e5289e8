package io.scanstream.inference.pipeline;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.scanstream.core.contract.ScanPreprocessed;
import io.scanstream.inference.batching.BatchingPolicy;
import io.scanstream.inference.batching.DynamicBatcher;
import io.scanstream.inference.config.InferenceConfig;
import io.scanstream.inference.domain.InferenceResult;
import io.scanstream.inference.domain.ModelReplay;
import io.scanstream.inference.domain.ModelVersions;
import io.scanstream.inference.domain.OutputGuard;
import io.scanstream.inference.domain.ScanInference;
import io.scanstream.inference.domain.ScanOutcomes;
import io.scanstream.inference.messaging.InferenceLoop;
import io.scanstream.inference.messaging.ModelTopicEnds;
import io.scanstream.inference.metrics.BatchMetrics;
import io.scanstream.inference.metrics.LoopMetrics;
import io.scanstream.inference.metrics.ModelVersionMetrics;
import io.scanstream.inference.metrics.OutputMetrics;
import io.scanstream.service.config.TopicNames;
import io.scanstream.service.kafka.KafkaClientSettings;
import io.scanstream.model.backbone.FeatureExtractor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;


import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The composition root of the scan path: starts the batcher and the consume-infer-produce loop with the
 * application (wired to the configured topics, client settings and meters), and stops them with it.
 */
@ApplicationScoped
public class InferencePipeline {

    private static final Logger LOG = Logger.getLogger(InferencePipeline.class);

    /** The loop's clients in configuration ({@code scanstream.kafka.clients.<name>.*}). */
    static final String CONSUMER = "inference-scans";
    static final String PRODUCER = "inference-results";
    /** The short-lived client that takes the model topics' end offsets at start. */
    static final String MODEL_ENDS = "inference-model-ends";

    private final InferenceConfig config;
    private final TopicNames topics;
    private final KafkaClientSettings clients;
    private final BatchingPolicy policy;
    private final ModelVersions versions;
    private final BatchMetrics batchMetrics;
    private final LoopMetrics loopMetrics;
    private final ModelVersionMetrics modelMetrics;
    private final OutputGuard guard;
    private final ModelReplay replay;
    private volatile boolean stopping;
    private DynamicBatcher<ScanPreprocessed, InferenceResult> batcher;
    private InferenceLoop loop;
    private Thread loopThread;

    public InferencePipeline(InferenceConfig config, TopicNames topics, KafkaClientSettings clients,
                             BatchingPolicy policy, ModelVersions versions, BatchMetrics batchMetrics,
                             LoopMetrics loopMetrics, ModelVersionMetrics modelMetrics, OutputMetrics outputMetrics,
                             ModelReplay replay) {
        this.replay = replay;
        this.config = config;
        this.topics = topics;
        this.clients = clients;
        this.policy = policy;
        this.versions = versions;
        this.batchMetrics = batchMetrics;
        this.loopMetrics = loopMetrics;
        this.modelMetrics = modelMetrics;
        this.guard = new OutputGuard(config.model().withdrawAfterNonFinite(), outputMetrics);
    }

    void start(@Observes StartupEvent event) {
        FeatureExtractor backbone = versions.currentBackbone(); // the bootstrap backbone, warmed up by its producer
        batcher = new DynamicBatcher<>("inference-batcher", policy, new ScanInference(versions, guard), batchMetrics);
        batchMetrics.bind(batcher::alive);
        InferenceConfig.Kafka k = config.kafka();
        loop = new InferenceLoop(new InferenceLoop.Settings(k.groupId(), k.transactionalId(), topics.preprocessed(),
                topics.predictions(), topics.embeddings(), topics.rejected(), k.maxPollRecords(), k.commitInterval(),
                k.commitWhenIdle(),
                clients.forClient(CONSUMER, Map.of()), clients.forClient(PRODUCER, Map.of())), batcher,
                new ScanOutcomes(Clock.systemUTC()), loopMetrics, replay::complete);
        loopMetrics.bind(backbone.backboneId(), backbone.device(), batcher::queued, loop::inFlight, loop.consumer(),
                loop.producer());
        modelMetrics.bind(backbone.backboneId());
        loopThread = new Thread(loop, "inference-loop");
        loopThread.start();
        Thread ends = new Thread(this::takeModelTopicEnds, "inference-model-ends");
        ends.setDaemon(true);
        ends.start();
        LOG.infof("inference.started bootstrapBackbone=%s device=%s maxBatch=%d maxDelay=%s buckets=%s", backbone.backboneId(),
                backbone.device(), policy.maxBatchSize(), policy.maxDelay(), policy.buckets());
    }

    /**
     * The ends the replay must reach, taken once the broker answers (retried: readiness stays DOWN meanwhile). The
     * consumers of the model topics run already; what they handled before counts.
     */
    private void takeModelTopicEnds() {
        Duration timeout = Duration.ofSeconds(10);
        while (!stopping) {
            try {
                Map<String, Long> ends = ModelTopicEnds.take(clients.forClient(MODEL_ENDS, Map.of()),
                        List.of(topics.models(), topics.backbones()), timeout);
                replay.expect(ends);
                LOG.infof("inference.models.replaying ends=%s (scans are served once these are reached)", ends);
                return;
            } catch (RuntimeException e) {
                LOG.warnf("inference.models.ends-unavailable reason=\"%s\" (retrying; not ready meanwhile)",
                        e.getMessage());
                try {
                    Thread.sleep(2_000);
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    /** How far the model topics have been replayed (readiness). */
    public ModelReplay replay() {
        return replay;
    }

    void stop(@Observes ShutdownEvent event) {
        stopping = true;
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

    /** Head versions withdrawn for non-finite outputs. */
    public OutputGuard guard() {
        return guard;
    }

    public DynamicBatcher<ScanPreprocessed, InferenceResult> batcher() {
        return batcher;
    }
}
