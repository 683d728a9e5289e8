package io.scanstream.training.backbone;

import io.quarkus.runtime.ShutdownEvent;
import io.scanstream.core.artifact.BackboneRef;
import io.scanstream.core.artifact.ModelArtifact;
import io.scanstream.core.artifact.ModelMetadata;
import io.scanstream.model.DjlEnvironment;
import io.scanstream.model.backbone.BackboneArchitecture;
import io.scanstream.model.backbone.BackboneSpec;
import io.scanstream.model.backbone.FeatureExtractor;
import io.scanstream.model.backbone.FeatureExtractors;
import io.scanstream.model.backbone.FeatureReadout;
import io.scanstream.training.config.BackboneIdentity;
import io.scanstream.training.config.TrainingConfig;
import io.scanstream.training.domain.Backbone;
import io.scanstream.training.domain.BackboneSource;
import io.scanstream.training.domain.Backbones;
import io.scanstream.training.domain.ChampionSource;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import jakarta.interceptor.Interceptor;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * The backbone of the version in service, loaded: the configured bootstrap file (loaded at start-up, so a wrong
 * file fails the start) until a version names a published backbone, which is then fetched from
 * {@code models.backbones}, verified and loaded in its place. One is loaded at a time; the previous one is closed
 * once the next has loaded. Closed on shutdown, after the runs have stopped (a later observer priority).
 */
@Singleton
public class ServedBackbones implements Backbones {

    private static final Logger LOG = Logger.getLogger(ServedBackbones.class);

    private final TrainingConfig config;
    private final ChampionSource champions;
    private final BackboneSource published;
    private final BackboneSpec bootstrapSpec;
    private final String bootstrapId;
    private LoadedBackbone loaded;

    public ServedBackbones(TrainingConfig config, ChampionSource champions, BackboneSource published) {
        // DJL reads these only from system properties or the environment, before the engine first loads.
        DjlEnvironment.configure();
        this.config = config;
        this.champions = champions;
        this.published = published;
        this.bootstrapSpec = BackboneIdentity.spec(config.model());
        this.loaded = loadBootstrap();
        this.bootstrapId = loaded.id();
    }

    @Override
    public synchronized Info info() {
        return new Info(loaded.id(), loaded.pretrained(), loaded.reference().source().name(),
                loaded.trainedOn().count());
    }

    @Override
    public String bootstrapId() {
        return bootstrapId;
    }

    @Override
    public synchronized Backbone current() {
        // A damaged record is no version: inference refuses it and keeps serving the one before.
        BackboneRef wanted = champions.current(config.model().name()).filter(ModelArtifact::integrityVerified)
                .map(ModelArtifact::metadata)
                .map(ModelMetadata::backbone).filter(ref -> ref.source() == BackboneRef.Source.PUBLISHED)
                .orElse(null);
        String wantedId = wanted == null ? bootstrapId : wanted.id();
        if (loaded.id().equals(wantedId)) {
            return loaded;
        }
        LoadedBackbone next = wanted == null ? loadBootstrap() : loadPublished(wanted);
        LoadedBackbone previous = loaded;
        loaded = next;
        previous.close();
        LOG.infof("training.backbone.loaded backbone=%s replaced=%s (the backbone of the version in service)",
                next.id(), previous.id());
        return loaded;
    }

    private LoadedBackbone loadBootstrap() {
        try {
            FeatureExtractor extractor = FeatureExtractors.load(bootstrapSpec, config.model().seed());
            return new LoadedBackbone(extractor, bootstrapSpec.architecture(), BackboneRef.bootstrap(
                    extractor.backboneId(), bootstrapSpec.architecture().id(), bootstrapSpec.readout().id()),
                    bootstrapSpec.weights(), null, null);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load the bootstrap backbone " + bootstrapSpec, e);
        }
    }

    private LoadedBackbone loadPublished(BackboneRef ref) {
        BackboneSource.Fetched fetched = published.fetch(ref);
        // Served as its manifest says (int8 over the ranges in it): training embeds as inference does.
        BackboneSpec spec = new BackboneSpec(BackboneArchitecture.fromId(ref.architecture()),
                Optional.of(fetched.weights()), FeatureReadout.fromId(ref.readout()))
                .withQuantization(fetched.manifest().servedQuantised());
        try {
            LoadedBackbone backbone = new LoadedBackbone(FeatureExtractors.load(spec, config.model().seed()),
                    spec.architecture(), ref, spec.weights(), fetched.manifest().trainedOn(),
                    fetched.manifest().createdAt());
            if (!backbone.id().equals(ref.id())) {
                backbone.close();
                throw new IllegalStateException("published backbone " + ref.id() + " loads as " + backbone.id());
            }
            return backbone;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load published backbone " + ref.id(), e);
        }
    }

    synchronized void close(@Observes @Priority(Interceptor.Priority.PLATFORM_AFTER + 500) ShutdownEvent event) {
        loaded.close();
    }
}
