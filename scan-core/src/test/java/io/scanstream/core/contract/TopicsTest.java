package io.scanstream.core.contract;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TopicsTest {

    @Test
    void everyContractTopicIsListedOnceWithItsDefaultName() {
        assertThat(Topics.ALL).extracting(TopicSpec::name).containsExactlyInAnyOrder(
                "scans.arrived", "scans.rejected", "scans.preprocessed", "scans.predictions", "scans.embeddings",
                "scans.labels", "models.published", "models.backbones", "training.dead-letters", "scans.seen");
    }

    @Test
    void compactsTheTopicsThatHoldLatestState() {
        assertThat(Topics.ALL).filteredOn(TopicSpec::compacted).extracting(TopicSpec::name)
                .containsExactlyInAnyOrder("scans.preprocessed", "scans.embeddings", "scans.labels", "models.published",
                        "models.backbones", "scans.seen");
    }

    @Test
    void seenScansAreCompactedAndForgottenAfterTheirRetentionInAsManyPartitionsAsArrivals() {
        // Ingest reads back the scans.seen partition of each scans.arrived partition it is assigned.
        assertThat(Topics.SEEN.partitions()).isEqualTo(Topics.ARRIVED.partitions());
        assertThat(Topics.SEEN.configs()).containsEntry("cleanup.policy", "compact,delete")
                .containsEntry("retention.ms", String.valueOf(Topics.SEEN_RETENTION.toMillis()));
        assertThat(Topics.propertyOf("scans.seen")).isEqualTo("scanstream.topics.seen");
    }

    @Test
    void namesTheRenamingPropertyOfEachTopic() {
        assertThat(Topics.propertyOf("scans.arrived")).isEqualTo("scanstream.topics.arrived");
        assertThat(Topics.propertyOf("scans.predictions")).isEqualTo("scanstream.topics.predictions");
        assertThat(Topics.propertyOf("models.published")).isEqualTo("scanstream.topics.models");
        assertThat(Topics.propertyOf("training.dead-letters")).isEqualTo("scanstream.topics.dead-letters");
    }

    @Test
    void modelTopicTakesAWholeHeadArtifact() {
        // The widest head (1280-512-256-128-2, float32) is about 3.3 MB.
        int widestHeadBytes = (1280 * 512 + 512 + 512 * 256 + 256 + 256 * 128 + 128 + 128 * 2 + 2) * 4;
        assertThat(Integer.parseInt(Topics.MODELS.configs().get("max.message.bytes"))).isGreaterThan(widestHeadBytes * 2);
    }
}
