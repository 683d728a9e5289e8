package io.scanstream.core.artifact;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BackboneChunksTest {

    private static final int MIB = 1 << 20;

    @Test
    void theChunkCountIsWhatSplitCutsTheWeightsInto() {
        assertThat(BackboneChunks.count(MIB, MIB)).isEqualTo(1);
        assertThat(BackboneChunks.count(MIB + 1, MIB)).isEqualTo(2);
        assertThat(BackboneChunks.count(9_063_851, MIB)).isEqualTo(9); // a MobileNetV2's parameters
        for (int size : new int[] {1, 999, 1000, 1001, 4096}) {
            assertThat(BackboneChunks.split(new byte[size], 1000)).hasSize(BackboneChunks.count(size, 1000));
        }
    }
}
