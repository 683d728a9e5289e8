package io.scanstream.training.domain;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LabelTriggerTest {

    @Test
    void firesAtEveryNthNewLabelCountedFromTheLastRunStart() {
        LabelTrigger trigger = new LabelTrigger(3);

        assertThat(trigger.labelArrived()).isFalse();
        assertThat(trigger.labelArrived()).isFalse();
        assertThat(trigger.labelArrived()).isTrue();
        assertThat(trigger.labelArrived()).isTrue(); // still due while no run has started
        assertThat(trigger.runStarted()).isEqualTo(4);
        assertThat(trigger.due()).isFalse();
        assertThat(trigger.labelArrived()).isFalse();
        assertThat(trigger.sinceLastRun()).isEqualTo(1);
    }

    @Test
    void neverFiresWhenSetToZero() {
        LabelTrigger off = new LabelTrigger(0);
        for (int i = 0; i < 100; i++) {
            assertThat(off.labelArrived()).isFalse();
        }
        assertThat(off.sinceLastRun()).isEqualTo(100);
    }

    @Test
    void theStartUpCountRaisesTheLiveCountWithoutAddingToIt() {
        LabelTrigger trigger = new LabelTrigger(10);
        for (int i = 0; i < 4; i++) {
            trigger.labelArrived(); // live labels since start-up are also in the store the catch-up reads
        }

        assertThat(trigger.atLeast(6)).isFalse();
        assertThat(trigger.sinceLastRun()).isEqualTo(6);
        assertThat(trigger.atLeast(3)).isFalse();
        assertThat(trigger.sinceLastRun()).isEqualTo(6);
        assertThat(trigger.atLeast(12)).isTrue();
    }

    @Test
    void aFailedRunGivesItsLabelsBackSoTheTriggerIsNotSwallowed() {
        // Before: the count was reset when the run started and a FAILED run never gave it back: no retry until
        // every-labels new labels had arrived again.
        LabelTrigger trigger = new LabelTrigger(3);
        trigger.labelsArrived(3);
        long taken = trigger.runStarted();
        assertThat(trigger.due()).isFalse();
        trigger.labelArrived(); // arrived during the run
        trigger.runFailed(taken);
        assertThat(trigger.sinceLastRun()).isEqualTo(4);
        assertThat(trigger.due()).isTrue();
        assertThat(trigger.labelArrived()).isTrue(); // the next label retries
        trigger.runFailed(0);
        assertThat(trigger.sinceLastRun()).isEqualTo(5);
    }
}
