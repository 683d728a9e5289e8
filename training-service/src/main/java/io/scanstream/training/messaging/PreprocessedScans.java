package io.scanstream.training.messaging;

import io.scanstream.core.contract.EventCodecs;
import io.scanstream.core.contract.InvalidEventException;
import io.scanstream.core.contract.ScanPreprocessed;
import io.scanstream.training.config.TrainingConfig;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The preprocessed scans of given scan ids, read from the compacted scans.preprocessed from its beginning to its
 * current end (for full-network training, which needs pixels, not embeddings). The latest record of a scan wins.
 */
@ApplicationScoped
public class PreprocessedScans {

    private final String bootstrapServers;
    private final String topic;
    private final Duration timeout;

    public PreprocessedScans(TrainingConfig config,
                             @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
        this.topic = config.topics().preprocessed();
        this.timeout = config.kafka().readTimeout();
    }

    public Map<String, ScanPreprocessed> read(Set<String> scanIds) {
        Map<String, ScanPreprocessed> found = new HashMap<>();
        TopicSnapshot.read(bootstrapServers, topic, "training-preprocessed-reader", timeout, record -> {
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
