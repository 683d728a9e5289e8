package io.scanstream.service.config;

import io.scanstream.core.contract.TopicSpec;
import io.scanstream.core.contract.Topics;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Topic names and message limits as every service configures them, from the contract's one home. */
class ContractConfigurationTest {

    @Test
    void everyContractTopicHasItsPropertyAndTheContractsName() {
        SmallRyeConfig config = new SmallRyeConfigBuilder().withMapping(TopicNames.class)
                .withSources(new ContractLimitsConfigSource()).build();
        TopicNames names = config.getConfigMapping(TopicNames.class);
        Map<String, String> byProperty = Map.of(
                "scanstream.topics.arrived", names.arrived(), "scanstream.topics.rejected", names.rejected(),
                "scanstream.topics.preprocessed", names.preprocessed(),
                "scanstream.topics.predictions", names.predictions(),
                "scanstream.topics.embeddings", names.embeddings(), "scanstream.topics.labels", names.labels(),
                "scanstream.topics.models", names.models(), "scanstream.topics.backbones", names.backbones(),
                "scanstream.topics.dead-letters", names.deadLetters(), "scanstream.topics.seen", names.seen());
        for (TopicSpec topic : Topics.ALL) {
            assertThat(byProperty).containsEntry(Topics.propertyOf(topic.name()), topic.name());
        }
        assertThat(byProperty).hasSameSizeAs(Topics.ALL);
    }

    @Test
    void channelExpressionsSeeTheContractsNameAndARenameAlike() {
        Map<String, String> channel = Map.of("mp.messaging.incoming.x.topic", "${scanstream.topics.arrived}");
        SmallRyeConfig plain = new SmallRyeConfigBuilder().addDefaultInterceptors().withMapping(TopicNames.class)
                .withSources(new PropertiesConfigSource(channel, "application", 250)).build();
        SmallRyeConfig renamed = new SmallRyeConfigBuilder().addDefaultInterceptors().withMapping(TopicNames.class)
                .withSources(new PropertiesConfigSource(channel, "application", 250))
                .withSources(new PropertiesConfigSource(Map.of("scanstream.topics.arrived", "site-a.scans.arrived"),
                        "environment", 300)).build();

        assertThat(plain.getValue("mp.messaging.incoming.x.topic", String.class)).isEqualTo(Topics.SCANS_ARRIVED);
        assertThat(renamed.getConfigMapping(TopicNames.class).arrived()).isEqualTo("site-a.scans.arrived");
        assertThat(renamed.getValue("mp.messaging.incoming.x.topic", String.class)).isEqualTo("site-a.scans.arrived");
    }

    @Test
    void messageLimitsComeFromTheContract() {
        SmallRyeConfig config = new SmallRyeConfigBuilder().withSources(new ContractLimitsConfigSource()).build();

        assertThat(config.getValue(ContractLimitsConfigSource.SCAN_MESSAGE_BYTES, Integer.class))
                .isEqualTo(Topics.SCAN_MAX_MESSAGE_BYTES);
        assertThat(config.getValue(ContractLimitsConfigSource.MODEL_MESSAGE_BYTES, Integer.class))
                .isEqualTo(Topics.MODEL_MAX_MESSAGE_BYTES);
    }
}
