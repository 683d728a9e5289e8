package io.scanstream.inference.domain;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** When a replica has replayed the model topics far enough to serve. */
class ModelReplayTest {

    private static final String MODELS = ModelReplay.partition("models.published", 0);
    private static final String BACKBONES = ModelReplay.partition("models.backbones", 0);

    @Test
    void incompleteUntilTheEndsAreKnownAndEveryPartitionReachedItsEnd() {
        ModelReplay replay = new ModelReplay();
        replay.handled(MODELS, 0);
        replay.handled(MODELS, 1);
        assertThat(replay.complete()).as("no ends taken yet: not complete, however much was read").isFalse();
        assertThat(replay.remaining()).containsKey("end offsets");

        replay.expect(ends(3, 2));
        assertThat(replay.complete()).isFalse();
        assertThat(replay.remaining()).containsEntry(MODELS, "2/3").containsEntry(BACKBONES, "0/2");

        replay.handled(MODELS, 2);
        replay.handled(BACKBONES, 1); // offset 0 compacted away: the position counts, not the number of records
        assertThat(replay.complete()).isTrue();
        assertThat(replay.remaining()).isEmpty();
        replay.handled(MODELS, 7); // later records change nothing
        assertThat(replay.complete()).isTrue();
    }

    @Test
    void emptyTopicsAreReplayedAtOnce() {
        ModelReplay replay = new ModelReplay();
        replay.expect(ends(0, 0));
        assertThat(replay.complete()).isTrue();
    }

    @Test
    void refusesASecondSetOfEndsAndNegativeOffsets() {
        ModelReplay replay = new ModelReplay();
        assertThatThrownBy(() -> replay.expect(ends(-1, 0))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("negative");
        replay.expect(ends(1, 1));
        assertThatThrownBy(() -> replay.expect(ends(1, 1))).isInstanceOf(IllegalStateException.class);
    }

    private static Map<String, Long> ends(long models, long backbones) {
        Map<String, Long> ends = new LinkedHashMap<>();
        ends.put(MODELS, models);
        ends.put(BACKBONES, backbones);
        return ends;
    }
}
