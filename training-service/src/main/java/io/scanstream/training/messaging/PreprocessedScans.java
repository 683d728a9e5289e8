package io.scanstream.training.messaging;

import io.scanstream.core.contract.EventCodecs;
import io.scanstream.core.contract.InvalidEventException;
import io.scanstream.core.contract.ScanPreprocessed;
import io.scanstream.core.imaging.ScanPreprocessor;
import io.scanstream.service.logging.LoggedIds;
import io.scanstream.service.config.TopicNames;
import io.scanstream.training.config.TrainingConfig;
import io.scanstream.training.domain.ScanImages;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The preprocessed scans of given scan ids, read from the compacted scans.preprocessed from its beginning to its
 * current end (for full-network training, which needs pixels, not embeddings). The latest record of a scan wins.
 */
@ApplicationScoped
public class PreprocessedScans implements ScanImages {

    private static final Logger LOG = Logger.getLogger(PreprocessedScans.class);

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
                ScanPreprocessed scan = EventCodecs.PREPROCESSED.fromRecord(record);
                Optional<String> notModelInput = ScanPreprocessor.modelInputProblem(scan.image());
                if (notModelInput.isPresent()) {
                    // not a model input: left out (and a valid earlier record of the id with it)
                    LOG.warnf("training.preprocessed.ignored scanId=%s reason=\"%s\"", LoggedIds.scan(record.key()),
                            notModelInput.get());
                    found.remove(record.key());
                } else {
                    found.put(record.key(), scan);
                }
            } catch (InvalidEventException e) {
                // not a usable scan: left out of full-network training
            }
        });
        return found;
    }
}
