package io.scanstream.training.streams;

import io.quarkus.arc.All;
import io.scanstream.core.contract.ClinicalLabel;
import io.scanstream.service.config.TopicNames;
import io.scanstream.training.domain.TrainingSetEvents;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import io.scanstream.training.config.TrainingConfig;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.util.List;

/**
 * The training-set topology for Quarkus' Kafka Streams: topics from configuration, the configured backbone, and
 * every bean that wants to hear of the training set's changes (the label trigger, metrics) told of each event.
 */
@ApplicationScoped
public class TopologyProducer {

    private static final Logger LOG = Logger.getLogger(TopologyProducer.class);

    /** One topology: Kafka Streams and Quarkus' topology manager both ask for it. */
    @Produces
    @Singleton
    public Topology trainingSet(TopicNames topics, TrainingConfig config, @All List<TrainingSetEvents> listeners) {
        TrainingConfig.Pending pending = config.pending();
        TrainingSetTopology.Settings settings = new TrainingSetTopology.Settings(topics.labels(), topics.embeddings(),
                topics.preprocessed(), topics.deadLetters(), new TrainingSetTopology.PendingLimits(
                pending.unlabelledTtl(), pending.orphanLabelTtl(), pending.maxEntries(), pending.sweepInterval()));
        LOG.infof("training-set.topology labels=%s embeddings=%s preprocessed=%s dead-letters=%s unlabelledTtl=%s"
                        + " orphanLabelTtl=%s maxPendingPerPartition=%d", topics.labels(), topics.embeddings(),
                topics.preprocessed(), topics.deadLetters(), pending.unlabelledTtl(), pending.orphanLabelTtl(),
                pending.maxEntries());
        return TrainingSetTopology.build(settings, everyone(List.copyOf(listeners)));
    }

    /**
     * A failing stream thread is replaced rather than taking the training set down with it, a bounded number of
     * times in a window ({@code training.streams.*}); then the client shuts down and readiness says so.
     */
    @Produces
    public StreamsUncaughtExceptionHandler uncaughtExceptionHandler(TrainingConfig config) {
        return new ThreadReplacementPolicy(config.streams().maxThreadReplacements(),
                config.streams().replacementWindow(), Clock.systemUTC());
    }

    private static TrainingSetEvents everyone(List<TrainingSetEvents> listeners) {
        return new TrainingSetEvents() {
            @Override
            public void labelled(String scanId, ClinicalLabel label) {
                listeners.forEach(l -> l.labelled(scanId, label));
            }

            @Override
            public void relabelled(String scanId, ClinicalLabel from, ClinicalLabel to) {
                listeners.forEach(l -> l.relabelled(scanId, from, to));
            }

            @Override
            public void removed(String scanId) {
                listeners.forEach(l -> l.removed(scanId));
            }

            @Override
            public void embedded(String scanId, String backboneId) {
                listeners.forEach(l -> l.embedded(scanId, backboneId));
            }

            @Override
            public void pendingCount(String task, PendingKind kind, long count) {
                listeners.forEach(l -> l.pendingCount(task, kind, count));
            }

            @Override
            public void expired(PendingKind kind, ExpiryReason reason, String scanId) {
                listeners.forEach(l -> l.expired(kind, reason, scanId));
            }

            @Override
            public void ignored(String topic, IgnoredReason reason, String scanId, String detail) {
                listeners.forEach(l -> l.ignored(topic, reason, scanId, detail));
            }
        };
    }
}
