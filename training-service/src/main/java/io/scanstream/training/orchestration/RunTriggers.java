package io.scanstream.training.orchestration;

import io.quarkus.scheduler.Scheduled;
import io.scanstream.core.contract.ClinicalLabel;
import io.scanstream.training.config.TrainingConfig;
import io.scanstream.training.domain.Backbones;
import io.scanstream.training.domain.ChampionSource;
import io.scanstream.training.domain.LabelledScan;
import io.scanstream.training.domain.RunTrigger;
import io.scanstream.training.domain.TrainingMode;
import io.scanstream.training.domain.TrainingSet;
import io.scanstream.training.domain.TrainingSetEvents;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;

/**
 * What starts runs besides the API: every N new or changed labels (told by the training set's topology; head runs
 * by {@code training.trigger.every-labels}, fine-tuning by {@code training.fine-tune.every-labels}), the schedules
 * (skipped when no label joined or changed since the last run of that kind: the same data would train the same
 * model), and, once at start-up, the labels given after the version (head) or the backbone (fine-tuning) in service
 * was made: the counts live in memory, so without this a run that a restart interrupted would wait for N more.
 */
@ApplicationScoped
public class RunTriggers implements TrainingSetEvents {

    private static final Logger LOG = Logger.getLogger(RunTriggers.class);
    private static final Duration STORE_WAIT = Duration.ofSeconds(5);

    private final TrainingCoordinator coordinator;
    private final TrainingSet trainingSet;
    private final ChampionSource champions;
    private final Backbones backbones;
    private final TrainingConfig config;
    private volatile boolean caughtUp;

    public RunTriggers(TrainingCoordinator coordinator, TrainingSet trainingSet, ChampionSource champions,
                       Backbones backbones, TrainingConfig config) {
        this.coordinator = coordinator;
        this.trainingSet = trainingSet;
        this.champions = champions;
        this.backbones = backbones;
        this.config = config;
    }

    @Override
    public void labelled(String scanId, ClinicalLabel label) {
        coordinator.labelArrived();
    }

    @Override
    public void relabelled(String scanId, ClinicalLabel from, ClinicalLabel to) {
        coordinator.labelArrived();
    }

    @Scheduled(every = "${training.trigger.interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        scheduled(TrainingMode.HEAD);
    }

    @Scheduled(every = "${training.fine-tune.interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduledFineTune() {
        scheduled(TrainingMode.FULL_NETWORK);
    }

    private void scheduled(TrainingMode mode) {
        if (coordinator.labelsSince(mode) > 0) {
            coordinator.start(mode, RunTrigger.SCHEDULE);
        } else {
            LOG.debugf("training.schedule.skipped mode=%s reason=\"no label changed since the last run\"", mode);
        }
    }

    /** Once the training set is readable after start-up: count what the version in service has not seen. */
    @Scheduled(every = "10s", delayed = "5s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void catchUp() {
        if (caughtUp || !trainingSet.ready()) {
            return;
        }
        caughtUp = true;
        if (config.trigger().everyLabels() == 0 && config.fineTune().everyLabels() == 0) {
            return;
        }
        try {
            // The newest labels only (a run's cap, so the heap stays bounded): the counts are exact below the cap, and
            // at the cap they already exceed any sensible every-labels.
            List<LabelledScan> labelled = trainingSet.snapshot(backbones.info().id(), config.runs().maxExamples(),
                    STORE_WAIT).labelled();
            Optional<OffsetDateTime> version = champions.current(config.model().name())
                    .map(a -> a.metadata().createdAt());
            long sinceVersion = labelledAfter(labelled, version);
            long sinceBackbone = config.fineTune().everyLabels() == 0 ? 0
                    : labelledAfter(labelled, backbones.current().createdAt());
            LOG.infof("training.triggers.caught-up labelled=%d sinceVersion=%d sinceBackbone=%d", labelled.size(),
                    sinceVersion, sinceBackbone);
            coordinator.caughtUp(TrainingMode.FULL_NETWORK, sinceBackbone);
            coordinator.caughtUp(TrainingMode.HEAD, sinceVersion);
        } catch (RuntimeException e) {
            LOG.warnf("training.triggers.catch-up.failed reason=\"%s\" (labels count from now on)", e.getMessage());
        }
    }

    /** Labels given after {@code since} (all of them without it: nothing was trained yet). */
    private static long labelledAfter(List<LabelledScan> labelled, Optional<OffsetDateTime> since) {
        return since.map(t -> labelled.stream().filter(s -> s.labelledAt().isAfter(t)).count())
                .orElse((long) labelled.size());
    }
}
