package io.scanstream.training.config;

import io.scanstream.model.backbone.BackboneArchitecture;
import io.scanstream.model.backbone.BackboneSpec;
import io.scanstream.model.backbone.FeatureExtractors;
import io.scanstream.model.backbone.FeatureReadout;
import io.scanstream.service.config.ModelSettings;
import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import org.eclipse.microprofile.config.spi.ConfigSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Supplies {@code quarkus.kafka-streams.application-id} = {@code <quarkus.application.name>-<backbone id>}.
 * Kafka Streams keeps its consumer offsets and state per application id, so a new backbone (another architecture
 * or other weights) starts from empty stores and re-reads the compacted labels, embeddings and preprocessed
 * topics from the beginning: the training set is rebuilt for the new backbone (embeddings recomputed from
 * scans.preprocessed where inference has not produced them) and never mixes two backbones. An explicit
 * application id (system property, environment, application.properties) still wins: this source's ordinal is low.
 */
public class StreamsApplicationIdConfigSource implements ConfigSourceFactory {

    static final String APPLICATION_ID = "quarkus.kafka-streams.application-id";
    private static final int ORDINAL = 120;
    /** Quarkus' own default application name (the artifact id), for a configuration that does not set one. */
    private static final String DEFAULT_APPLICATION_NAME = "training-service";

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        String architecture = value(context, "training.model.backbone").orElse(ModelSettings.DEFAULT_BACKBONE);
        Optional<Path> weights = value(context, "training.model.backbone-weights").map(Path::of);
        String readout = value(context, "training.model.backbone-readout").orElse(ModelSettings.DEFAULT_READOUT);
        String prefix = value(context, "quarkus.application.name").orElse(DEFAULT_APPLICATION_NAME);
        String backboneId;
        try {
            backboneId = FeatureExtractors.backboneId(new BackboneSpec(BackboneArchitecture.fromId(architecture),
                    weights, FeatureReadout.fromId(readout)));
        } catch (IOException | RuntimeException e) {
            // The backbone itself fails to load a moment later with the precise reason; no id to offer here.
            return List.of();
        }
        return List.of(new PropertiesConfigSource(
                Map.of(APPLICATION_ID, BackboneIdentity.streamsApplicationId(prefix, backboneId)),
                "scanstream-backbone-application-id", ORDINAL));
    }

    private static Optional<String> value(ConfigSourceContext context, String name) {
        ConfigValue value = context.getValue(name);
        return value == null || value.getValue() == null || value.getValue().isBlank()
                ? Optional.empty() : Optional.of(value.getValue().strip());
    }
}
