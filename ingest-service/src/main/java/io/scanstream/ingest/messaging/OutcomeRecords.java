package io.scanstream.ingest.messaging;

import io.scanstream.core.contract.EventCodecs;
import io.scanstream.ingest.domain.IngestOutcome;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.util.List;

/**
 * What one outcome adds to its batch's transaction, the one home of that rule: an accepted scan is its
 * preprocessed event plus its seen record (in the partition of the arrival it came from, {@link SeenScans}); a
 * rejected scan is its rejection.
 *
 * @param preprocessedTopic where accepted scans go
 * @param rejectedTopic     where rejections go
 * @param seenTopic         ingest's durable memory of accepted scans
 */
public record OutcomeRecords(String preprocessedTopic, String rejectedTopic, String seenTopic) {

    /** The records of one outcome, in the order they are sent. */
    public List<ProducerRecord<String, byte[]>> of(IngestOutcome outcome, int arrivalPartition) {
        if (outcome instanceof IngestOutcome.Accepted accepted) {
            return List.of(EventCodecs.PREPROCESSED.toRecord(preprocessedTopic, accepted.scan()),
                    new ProducerRecord<>(seenTopic, arrivalPartition, accepted.scanId(),
                            SeenScans.value(accepted.scan().contentSha256())));
        }
        IngestOutcome.Rejected rejected = (IngestOutcome.Rejected) outcome;
        return List.of(EventCodecs.REJECTED.toRecord(rejectedTopic, rejected.rejection()));
    }
}
