package io.scanstream.training.streams;

import io.scanstream.training.config.TrainingBackbone;
import io.scanstream.training.config.TrainingConfig;
import io.scanstream.training.metrics.TrainingMetrics;
import io.scanstream.training.training.TrainingCoordinator;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.jboss.logging.Logger;

/** The training-set topology for Quarkus' Kafka Streams (topics from configuration, the configured backbone). */
@ApplicationScoped
public class TopologyProducer {

    private static final Logger LOG = Logger.getLogger(TopologyProducer.class);

    /** One topology: Kafka Streams and Quarkus' topology manager both ask for it. */
    @Produces
    @Singleton
    public Topology trainingSet(TrainingConfig config, TrainingBackbone backbone, TrainingMetrics metrics,
                                TrainingCoordinator coordinator) {
        TrainingConfig.Topics topics = config.topics();
        TrainingSetTopology.Settings settings = new TrainingSetTopology.Settings(topics.labels(), topics.embeddings(),
                topics.preprocessed(), backbone.backboneId(), backbone.featureDim(), config.embeddings().recompute());
        TrainingSetListener listener = new TrainingSetListener() {
            @Override
            public void joined(String scanId, io.scanstream.core.contract.ClinicalLabel label, JoinPath path) {
                metrics.joined(scanId, label, path);
                coordinator.labelArrived();
            }

            @Override
            public void relabelled(String scanId, io.scanstream.core.contract.ClinicalLabel from,
                                   io.scanstream.core.contract.ClinicalLabel to) {
                metrics.relabelled(scanId, from, to);
                coordinator.labelArrived();
            }

            @Override
            public void removed(String scanId) {
                metrics.removed(scanId);
            }

            @Override
            public void ignored(String topic, String reason, String scanId, String detail) {
                metrics.ignored(topic, reason, scanId, detail);
            }
        };
        LOG.infof("training-set.topology labels=%s embeddings=%s preprocessed=%s backbone=%s recompute=%s",
                topics.labels(), topics.embeddings(), topics.preprocessed(), backbone.backboneId(),
                config.embeddings().recompute());
        return TrainingSetTopology.build(settings, backbone, listener);
    }

    /** A failing stream thread is replaced rather than taking the training set down with it. */
    @Produces
    public StreamsUncaughtExceptionHandler uncaughtExceptionHandler() {
        return e -> {
            LOG.errorf(e, "training-set.stream-thread.failed replacing the thread");
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        };
    }
}
