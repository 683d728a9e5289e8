package io.scanstream.service.config;

import io.scanstream.core.contract.Topics;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The contract's topic names as every service configures them: {@code scanstream.topics.<name>} (environment
 * {@code SCANSTREAM_TOPICS_<NAME>}), defaults from {@link Topics} only. SmallRye channels bind to the same keys in
 * application.properties ({@code mp.messaging.incoming.x.topic=${scanstream.topics.arrived}}); raw clients and
 * Kafka Streams read this mapping. Property names follow {@link Topics#propertyOf}.
 */
@ConfigMapping(prefix = "scanstream.topics")
public interface TopicNames {

    @WithDefault(Topics.SCANS_ARRIVED)
    String arrived();

    @WithDefault(Topics.SCANS_REJECTED)
    String rejected();

    @WithDefault(Topics.SCANS_PREPROCESSED)
    String preprocessed();

    @WithDefault(Topics.SCANS_PREDICTIONS)
    String predictions();

    @WithDefault(Topics.SCANS_EMBEDDINGS)
    String embeddings();

    @WithDefault(Topics.SCANS_LABELS)
    String labels();

    @WithDefault(Topics.MODELS_PUBLISHED)
    String models();

    @WithDefault(Topics.MODELS_BACKBONES)
    String backbones();

    @WithDefault(Topics.TRAINING_DEAD_LETTERS)
    String deadLetters();

    @WithDefault(Topics.SCANS_SEEN)
    String seen();
}
