package io.scanstream.training.messaging;

import io.scanstream.core.artifact.BackboneRef;
import io.scanstream.core.artifact.ModelArtifact;
import io.scanstream.core.contract.EventCodecs;
import io.scanstream.core.contract.InvalidEventException;
import io.scanstream.training.config.TrainingConfig;
import io.scanstream.service.config.TopicNames;
import io.scanstream.training.domain.ChampionSource;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The champion: the latest version under the model name on models.published, read from the beginning to the end
 * of the (compacted, committed) topic at the moment the gate needs it. Reading it fresh each time, rather than
 * following the topic in the background, means the gate sees what inference sees, including versions another
 * trainer published. A topic that cannot be read fails the run: publishing blind could replace a better head.
 */
@ApplicationScoped
public class PublishedModels implements ChampionSource {

    private final TopicSnapshot snapshot;
    private final String topic;
    private final Duration timeout;

    private final VersionSigning signing;

    public PublishedModels(TrainingConfig config, TopicNames topics, TopicSnapshot snapshot, VersionSigning signing) {
        this.snapshot = snapshot;
        this.signing = signing;
        this.topic = topics.models();
        this.timeout = config.kafka().readTimeout();
    }

    @Override
    public Optional<ModelArtifact> current(String modelName) {
        AtomicReference<ModelArtifact> latest = new AtomicReference<>();
        snapshot.read(topic, timeout, record -> {
            if (modelName.equals(record.key()) && signing.believes(record)) { // inference serves no other
                try {
                    latest.set(EventCodecs.MODEL_PUBLISHED.fromRecord(record).artifact());
                } catch (InvalidEventException e) {
                    // inference refuses it too; the version before it stays the champion
                }
            }
        });
        return Optional.ofNullable(latest.get());
    }

    /** The published backbones that the versions on the topic now (any model name) refer to. */
    public Set<String> referencedBackbones() {
        Set<String> referenced = new HashSet<>();
        snapshot.read(topic, timeout, record -> {
            if (record.value() == null || !signing.believes(record)) {
                return;
            }
            try {
                BackboneRef ref = EventCodecs.MODEL_PUBLISHED.fromRecord(record).artifact().metadata().backbone();
                if (ref != null && ref.source() == BackboneRef.Source.PUBLISHED) {
                    referenced.add(ref.id());
                }
            } catch (InvalidEventException e) {
                // refers to nothing usable
            }
        });
        return referenced;
    }
}
