package io.scanstream.training.orchestration;

import io.scanstream.core.artifact.ModelArtifact;
import io.scanstream.training.config.TrainingConfig;
import io.scanstream.training.domain.BackboneSource;
import io.scanstream.training.domain.Backbones;
import io.scanstream.training.domain.ModelHistory;
import io.scanstream.training.domain.VersionHistory;
import io.scanstream.training.domain.VersionNames;
import io.scanstream.training.domain.VersionPublisher;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.OffsetDateTime;

/**
 * The version history of the served model and rollbacks: a rollback publishes a new record, signed like any
 * version and newer than all others, that carries the restored version's artifact ({@link ModelHistory#rollback}).
 * The rules are {@link ModelHistory}'s; this class reads the topic, checks that a published backbone is still
 * complete ({@link BackboneSource#fetch}, which also leaves it in the cache for the next run) and publishes.
 */
@ApplicationScoped
public class ModelRollbacks {

    private static final Logger LOG = Logger.getLogger(ModelRollbacks.class);

    /** What a rollback request came to. */
    public sealed interface Outcome permits RolledBack, Unknown, NotRestorable {
    }

    public record RolledBack(String version, String rollbackOf) implements Outcome {
    }

    public record Unknown(String detail) implements Outcome {
    }

    public record NotRestorable(String detail) implements Outcome {
    }

    private final String modelName;
    private final VersionHistory history;
    private final BackboneSource backbones;
    private final Backbones served;
    private final VersionPublisher publisher;
    private final Clock clock;

    @Inject
    public ModelRollbacks(TrainingConfig config, VersionHistory history, BackboneSource backbones, Backbones served,
                          VersionPublisher publisher) {
        this(config.model().name(), history, backbones, served, publisher, Clock.systemUTC());
    }

    ModelRollbacks(String modelName, VersionHistory history, BackboneSource backbones, Backbones served,
                   VersionPublisher publisher, Clock clock) {
        this.modelName = modelName;
        this.history = history;
        this.backbones = backbones;
        this.served = served;
        this.publisher = publisher;
        this.clock = clock;
    }

    public ModelHistory history() {
        return history.history(modelName);
    }

    /**
     * Rolls back to {@code version} (a trained version, or a rollback record: its restored version). One at a time,
     * so two requests cannot both read the same newest record and publish in an order neither saw.
     */
    public synchronized Outcome rollback(String version) {
        ModelHistory now = history();
        ModelHistory.Restore restore = now.restore(version, served.bootstrapId(), ref -> {
            try {
                backbones.fetch(ref);
                return true;
            } catch (RuntimeException e) {
                LOG.infof("rollback.backbone-unavailable backbone=%s reason=\"%s\"", ref.id(), e.getMessage());
                return false;
            }
        });
        if (restore instanceof ModelHistory.Unknown u) {
            return new Unknown(u.detail());
        }
        if (restore instanceof ModelHistory.NotRestorable n) {
            return new NotRestorable(n.detail());
        }
        ModelArtifact original = ((ModelHistory.Restorable) restore).original();
        OffsetDateTime at = OffsetDateTime.now(clock);
        String runId = VersionNames.newRunId();
        String newVersion = VersionNames.version(at.toInstant(), runId);
        ModelArtifact record = ModelHistory.rollback(original, newVersion, at);
        publisher.publish("rollback-" + runId, record);
        String from = now.servingVersion().orElse(null);
        LOG.infof("model.rolled-back model=%s version=%s restores=%s replaces=%s", modelName, newVersion,
                original.metadata().version(), from);
        return new RolledBack(newVersion, original.metadata().version());
    }
}
