package io.scanstream.training.messaging;

import io.quarkus.scheduler.Scheduled;
import io.scanstream.training.config.TrainingConfig;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.List;

/**
 * Retires published backbones no version refers to any more, on a schedule ({@code training.backbones.*}): a
 * compacted topic keeps every backbone ever published otherwise, and each replica that bootstraps reads them all.
 */
@ApplicationScoped
public class BackboneRetention {

    private static final Logger LOG = Logger.getLogger(BackboneRetention.class);

    private final TrainingConfig config;
    private final PublishedModels models;
    private final PublishedBackbones backbones;

    public BackboneRetention(TrainingConfig config, PublishedModels models, PublishedBackbones backbones) {
        this.config = config;
        this.models = models;
        this.backbones = backbones;
    }

    @Scheduled(every = "${training.backbones.retire-interval}", delayed = "1m",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        try {
            retire(Instant.now());
        } catch (RuntimeException e) {
            LOG.warnf("backbone.retire.failed reason=\"%s\" (retried on the next schedule)", e.getMessage());
        }
    }

    /** The ids retired now. */
    public List<String> retire(Instant now) {
        return backbones.retireUnreferenced(models.referencedBackbones(), config.backbones().retention(), now);
    }
}
