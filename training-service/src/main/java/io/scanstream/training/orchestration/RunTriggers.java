package io.scanstream.training.orchestration;

import io.quarkus.scheduler.Scheduled;
import io.scanstream.core.contract.ClinicalLabel;
import io.scanstream.training.domain.RunTrigger;
import io.scanstream.training.domain.TrainingMode;
import io.scanstream.training.domain.TrainingSetEvents;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * What starts head runs besides the API: every N new or changed labels (told by the training set's topology) and
 * the schedule (skipped when no label joined or changed since the last run: the same data would train the same
 * head).
 */
@ApplicationScoped
public class RunTriggers implements TrainingSetEvents {

    private static final Logger LOG = Logger.getLogger(RunTriggers.class);

    private final TrainingCoordinator coordinator;

    public RunTriggers(TrainingCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public void joined(String scanId, ClinicalLabel label, JoinPath path) {
        coordinator.labelArrived();
    }

    @Override
    public void relabelled(String scanId, ClinicalLabel from, ClinicalLabel to) {
        coordinator.labelArrived();
    }

    @Scheduled(every = "${training.trigger.interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        if (coordinator.labelsSinceLastRun() > 0) {
            coordinator.start(TrainingMode.HEAD, RunTrigger.SCHEDULE);
        } else {
            LOG.debugf("training.schedule.skipped reason=\"no label changed since the last run\"");
        }
    }
}
