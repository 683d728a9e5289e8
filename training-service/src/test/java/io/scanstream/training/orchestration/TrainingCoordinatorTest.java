package io.scanstream.training.orchestration;

import io.scanstream.training.config.TrainingConfig;
import io.scanstream.training.domain.Backbone;
import io.scanstream.training.domain.Backbones;
import io.scanstream.training.domain.RunObserver;
import io.scanstream.training.domain.RunOutcome;
import io.scanstream.training.domain.TrainingMode;
import io.scanstream.training.domain.TrainingRun;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A failed run keeps its trigger: the labels it took count again, so the next label retries. Before, the count was
 * reset when the run started and the failure swallowed it (no retry until every-labels more labels arrived).
 */
class TrainingCoordinatorTest {

    private final LinkedBlockingQueue<RunOutcome> finished = new LinkedBlockingQueue<>();
    private final List<TrainingRun> started = new CopyOnWriteArrayList<>();
    private TrainingCoordinator coordinator;

    @AfterEach
    void stop() {
        if (coordinator != null) {
            coordinator.stop(null);
        }
    }

    @Test
    void aFailedRunGivesItsLabelsBackAndTheNextLabelRetries() throws Exception {
        Backbones failing = new Backbones() {
            @Override
            public Backbone current() {
                throw new IllegalStateException("backbone unavailable (stub)");
            }

            @Override
            public Info info() {
                return null;
            }

            @Override
            public String bootstrapId() {
                return "mobilenet_v2:random";
            }
        };
        coordinator = new TrainingCoordinator(config(3), failing, null, null, null, null, new RunObserver() {
            @Override
            public void runStarted(TrainingRun run) {
                started.add(run);
            }

            @Override
            public void runFinished(TrainingRun run, RunOutcome outcome, Duration took, String version,
                                    Double validationAuc, String detail) {
                finished.add(outcome);
            }
        });

        for (int i = 0; i < 3; i++) {
            coordinator.labelArrived();
        }
        assertThat(finished.poll(10, TimeUnit.SECONDS)).isEqualTo(RunOutcome.FAILED);
        assertThat(labelsSinceOnceSettled(3)).isEqualTo(3);
        assertThat(started).hasSize(1); // not retried in a hot loop: it waits for the next label or the schedule

        coordinator.labelArrived();
        assertThat(finished.poll(10, TimeUnit.SECONDS)).isEqualTo(RunOutcome.FAILED);
        assertThat(started).hasSize(2);
        assertThat(labelsSinceOnceSettled(4)).isEqualTo(4);
    }

    /** The head count once the run's end is handled (the observer hears of the outcome just before). */
    private long labelsSinceOnceSettled(long expected) throws InterruptedException {
        for (int i = 0; i < 300 && coordinator.labelsSince(TrainingMode.HEAD) != expected; i++) {
            Thread.sleep(10);
        }
        return coordinator.labelsSince(TrainingMode.HEAD);
    }

    /** A configuration with head runs every {@code everyLabels} labels and fine-tuning off. */
    private static TrainingConfig config(int everyLabels) {
        Object trigger = proxy(TrainingConfig.Trigger.class, everyLabels);
        Object fineTune = proxy(TrainingConfig.FineTune.class, 0);
        return (TrainingConfig) Proxy.newProxyInstance(TrainingConfig.class.getClassLoader(),
                new Class<?>[] {TrainingConfig.class}, (p, method, args) -> switch (method.getName()) {
                    case "trigger" -> trigger;
                    case "fineTune" -> fineTune;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private static Object proxy(Class<?> type, int everyLabels) {
        return Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (p, method, args) -> {
            if (method.getName().equals("everyLabels")) {
                return everyLabels;
            }
            throw new UnsupportedOperationException(method.getName());
        });
    }
}
