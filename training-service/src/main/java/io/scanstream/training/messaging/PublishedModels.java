package io.scanstream.training.messaging;

import io.scanstream.core.artifact.ModelArtifact;
import io.scanstream.core.contract.EventCodecs;
import io.scanstream.core.contract.InvalidEventException;
import io.scanstream.training.config.TrainingConfig;
import io.scanstream.service.config.TopicNames;
import io.scanstream.training.domain.ChampionSource;
import io.scanstream.training.domain.ModelHistory;
import io.scanstream.training.domain.VersionHistory;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The published versions: models.published read from the beginning to the end of the (compacted, committed) topic
 * at the moment they are needed, each record a consumer believes (signed by a trusted key, readable) in topic
 * order ({@link ModelHistory}). The champion is the newest record (after a rollback: the restored version's
 * artifact). Reading it fresh each time, rather than following the topic in the background, means the gate sees
 * what inference sees, including versions another trainer published. A topic that cannot be read fails the run:
 * publishing blind could replace a better head.
 */
@ApplicationScoped
public class PublishedModels implements ChampionSource, VersionHistory {

    private final TopicSnapshot snapshot;
    private final String topic;
    private final Duration timeout;
    private final int keepBackbonesOfVersions;

    private final VersionSigning signing;

    public PublishedModels(TrainingConfig config, TopicNames topics, TopicSnapshot snapshot, VersionSigning signing) {
        this.snapshot = snapshot;
        this.signing = signing;
        this.topic = topics.models();
        this.timeout = config.kafka().readTimeout();
        this.keepBackbonesOfVersions = config.backbones().keepVersions();
    }

    @Override
    public Optional<ModelArtifact> current(String modelName) {
        return history(modelName).newest();
    }

    @Override
    public ModelHistory history(String modelName) {
        return all().getOrDefault(modelName, ModelHistory.empty());
    }

    /** Every model name's history (the key no longer says the name: it is name/version). */
    private Map<String, ModelHistory> all() {
        Map<String, List<ModelArtifact>> byName = new LinkedHashMap<>();
        snapshot.read(topic, timeout, record -> {
            if (record.value() == null || !signing.believes(record)) { // inference serves no other
                return;
            }
            try {
                ModelArtifact artifact = EventCodecs.MODEL_PUBLISHED.fromRecord(record).artifact();
                byName.computeIfAbsent(artifact.metadata().modelName(), k -> new ArrayList<>()).add(artifact);
            } catch (InvalidEventException e) {
                // inference refuses it too; the version before it stays the champion
            }
        });
        Map<String, ModelHistory> histories = new LinkedHashMap<>();
        byName.forEach((name, versions) -> histories.put(name, ModelHistory.of(versions)));
        return histories;
    }

    /**
     * The published backbones to keep ({@code training.backbones.keep-versions}): those of each model's newest
     * versions and of the version in service; the rest may be retired, and their versions are no longer
     * restorable.
     */
    public Set<String> referencedBackbones() {
        return ModelHistory.backbonesToKeep(List.copyOf(all().values()), keepBackbonesOfVersions);
    }
}
