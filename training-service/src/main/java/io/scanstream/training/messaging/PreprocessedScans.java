package io.scanstream.training.messaging;

import io.scanstream.core.contract.EventCodecs;
import io.scanstream.core.contract.InvalidEventException;
import io.scanstream.core.contract.ScanPreprocessed;
import io.scanstream.service.config.TopicNames;
import io.scanstream.training.config.TrainingConfig;
import io.scanstream.training.domain.ScanImages;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The preprocessed scans of given scan ids, read from the compacted scans.preprocessed from its beginning to its
 * current end (for full-network training, which needs pixels, not embeddings). The latest record of a scan wins.
 */
@ApplicationScoped
public class PreprocessedScans implements ScanImages {

    private final TopicSnapshot snapshot;
    private final String topic;
    private final Duration timeout;

    public PreprocessedScans(TrainingConfig config, TopicNames topics, TopicSnapshot snapshot) {
        this.snapshot = snapshot;
        this.topic = topics.preprocessed();
        this.timeout = config.kafka().readTimeout();
    }

    @Override
    public Map<String, ScanPreprocessed> read(Set<String> scanIds) {
        Map<String, ScanPreprocessed> found = new HashMap<>();
        snapshot.read(topic, timeout, record -> {
            if (record.key() == null || !scanIds.contains(record.key())) {
                return;
            }
            if (record.value() == null) {
                found.remove(record.key());
                return;
            }
            try {
                found.put(record.key(), EventCodecs.PREPROCESSED.fromRecord(record));
            } catch (InvalidEventException e) {
                // not a usable scan: left out of full-network training
            }
        });
        return found;
    }
}
