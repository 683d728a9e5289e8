package io.scanstream.training.backbone;

import io.quarkus.runtime.ShutdownEvent;
import io.scanstream.core.imaging.GreyImage;
import io.scanstream.model.DjlEnvironment;
import io.scanstream.model.backbone.BackboneArchitecture;
import io.scanstream.model.backbone.BackboneSpec;
import io.scanstream.model.backbone.FeatureExtractor;
import io.scanstream.model.backbone.FeatureExtractors;
import io.scanstream.training.config.BackboneIdentity;
import io.scanstream.training.config.TrainingConfig;
import io.scanstream.training.domain.Backbone;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import jakarta.interceptor.Interceptor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The configured backbone, loaded once: its id is what the training set accepts and what published versions
 * carry (it must be the one inference serves), and the topology uses it to compute embeddings that inference has
 * not produced for it. One forward at a time (the extractor is not thread-safe). Closed on shutdown, after Kafka
 * Streams has stopped (a later observer priority), so no processor embeds with a closed model.
 */
@Singleton
public class ConfiguredBackbone implements Backbone {

    private final FeatureExtractor extractor;
    private final BackboneArchitecture architecture;
    private boolean closed;

    public ConfiguredBackbone(TrainingConfig config) {
        // DJL reads these only from system properties or the environment, before the engine first loads.
        DjlEnvironment.ensureOffline();
        BackboneSpec spec = BackboneIdentity.spec(config.model());
        architecture = spec.architecture();
        try {
            String expected = FeatureExtractors.backboneId(spec);
            extractor = FeatureExtractors.load(spec, config.model().seed());
            if (!expected.equals(extractor.backboneId())) {
                extractor.close();
                throw new IllegalStateException("backbone id " + extractor.backboneId() + " differs from " + expected
                        + ", which the Kafka Streams application id was derived from");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load backbone " + spec, e);
        }
    }

    @Override
    public String id() {
        return extractor.backboneId();
    }

    @Override
    public int featureDim() {
        return extractor.featureDim();
    }

    @Override
    public boolean pretrained() {
        return extractor.pretrained();
    }

    @Override
    public BackboneArchitecture architecture() {
        return architecture;
    }

    @Override
    public synchronized float[] embed(GreyImage image) {
        if (closed) {
            throw new IllegalStateException("backbone closed: the service is stopping");
        }
        return extractor.embed(List.of(image), 1)[0];
    }

    synchronized void close(@Observes @Priority(Interceptor.Priority.PLATFORM_AFTER + 500) ShutdownEvent event) {
        if (!closed) {
            closed = true;
            extractor.close();
        }
    }
}
