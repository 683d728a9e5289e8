package io.scanstream.training.streams;

import io.scanstream.core.contract.EventCodecs;
import io.scanstream.core.contract.InvalidEventException;
import io.scanstream.core.contract.ScanEmbedding;
import io.scanstream.core.contract.ScanLabel;
import io.scanstream.core.contract.ScanPreprocessed;
import io.scanstream.core.imaging.ScanPreprocessor;
import io.scanstream.training.domain.TrainingSetEvents;
import io.scanstream.training.domain.TrainingSetEvents.IgnoredReason;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.state.KeyValueStore;

import java.util.Optional;

/**
 * The facts the training set is made of, kept per scan in the task's stores, whatever backbone is in service:
 * the latest label ({@code labels}), what splits group by ({@code scans}: patient pseudonym and origin, from the
 * embedding or the preprocessed scan, whichever comes first), and every backbone's embedding
 * ({@code embeddings}, key {@code <backboneId>|<scanId>}). A run reads the labelled scans with the embeddings of
 * its backbone; a new backbone therefore orphans no label, and embeddings it lacks are computed by the run.
 *
 * <p>Rules: the latest label wins by {@code labelledAt} (an older label arriving late changes nothing; equal
 * times: the later arrival); a tombstone on labels removes the label; records keyed other than by their scan id
 * are ignored (they would sit in another partition than the scan's other facts).
 *
 * <p>What waits for its other half (a scan without a label, a label without a scan) is indexed as pending and
 * expires ({@link PendingState}); a labelled example never does.
 *
 * <p>Each method answers the {@link Refusal} of a record that belongs on the dead-letter topic (it does not decode,
 * or it is keyed wrongly); a stale label is business as usual and answers none.
 */
final class TrainingFacts {

    private final TrainingSetTopology.Settings settings;
    private final TrainingSetEvents listener;
    private final KeyValueStore<String, StoreSerdes.LabelFact> labels;
    private final KeyValueStore<String, StoreSerdes.ScanFact> scans;
    private final KeyValueStore<String, float[]> embeddings;
    private final PendingState pending;

    TrainingFacts(TrainingSetTopology.Settings settings, TrainingSetEvents listener,
                  KeyValueStore<String, StoreSerdes.LabelFact> labels, KeyValueStore<String, StoreSerdes.ScanFact> scans,
                  KeyValueStore<String, float[]> embeddings, PendingState pending) {
        this.settings = settings;
        this.listener = listener;
        this.labels = labels;
        this.scans = scans;
        this.embeddings = embeddings;
        this.pending = pending;
    }

    /** Why a record cannot be used; it goes to the dead-letter topic with this. */
    record Refusal(IgnoredReason reason, String detail) {
    }

    private static final Optional<Refusal> USED = Optional.empty();

    /** The embeddings store's key: backbone, then scan (a backbone's embeddings are one prefix range). */
    static String embeddingKey(String backboneId, String scanId) {
        return backboneId + "|" + scanId;
    }

    /** @param timestamp the record's time: when what it makes pending became so */
    Optional<Refusal> onLabel(String key, Headers headers, byte[] value, long timestamp) {
        String topic = settings.labelsTopic();
        if (value == null) {
            if (key != null && labels.delete(key) != null) {
                listener.removed(key);
                pending.reindex(key, timestamp); // its scan waits for a label again
            }
            return USED;
        }
        ScanLabel label;
        try {
            label = EventCodecs.LABELLED.fromHeaders(headers, value);
        } catch (InvalidEventException e) {
            return refuse(topic, IgnoredReason.INVALID, key, e.getMessage());
        }
        String scanId = label.scanId();
        if (key != null && !key.equals(scanId)) {
            return refuse(topic, IgnoredReason.KEY_MISMATCH, key, "record key differs from scanId " + scanId);
        }
        StoreSerdes.LabelFact fact = new StoreSerdes.LabelFact(label.label(), label.labelledBy(), label.labelledAt());
        StoreSerdes.LabelFact known = labels.get(scanId);
        if (known != null && fact.labelledAt().isBefore(known.labelledAt())) {
            listener.ignored(topic, IgnoredReason.STALE_LABEL, scanId, "labelled at " + fact.labelledAt()
                    + ", the scan holds a label of " + known.labelledAt());
            return USED;
        }
        labels.put(scanId, fact);
        pending.reindex(scanId, timestamp);
        if (known == null) {
            listener.labelled(scanId, fact.label());
        } else if (known.label() != fact.label()) {
            listener.relabelled(scanId, known.label(), fact.label());
        }
        return USED;
    }

    Optional<Refusal> onEmbedding(String key, Headers headers, byte[] value, long timestamp) {
        if (value == null) {
            return USED; // a compacted-away scan: its other embeddings and its label stay
        }
        ScanEmbedding embedding;
        try {
            embedding = EventCodecs.EMBEDDED.fromHeaders(headers, value);
        } catch (InvalidEventException e) {
            return refuse(settings.embeddingsTopic(), IgnoredReason.INVALID, key, e.getMessage());
        }
        if (key != null && !key.equals(embedding.scanId())) {
            return refuse(settings.embeddingsTopic(), IgnoredReason.KEY_MISMATCH, key,
                    "record key differs from scanId " + embedding.scanId());
        }
        remember(embedding.scanId(), embedding.patientPseudonym(), embedding.origin(), embedding.device().toString());
        embeddings.put(embeddingKey(embedding.backboneId(), embedding.scanId()), embedding.vector());
        pending.backbone(embedding.backboneId(), timestamp);
        pending.reindex(embedding.scanId(), timestamp);
        listener.embedded(embedding.scanId(), embedding.backboneId());
        return USED;
    }

    Optional<Refusal> onPreprocessed(String key, Headers headers, byte[] value, long timestamp) {
        if (value == null) {
            return USED;
        }
        ScanPreprocessed scan;
        try {
            scan = EventCodecs.PREPROCESSED.fromHeaders(headers, value);
        } catch (InvalidEventException e) {
            return refuse(settings.preprocessedTopic(), IgnoredReason.INVALID, key, e.getMessage());
        }
        Optional<String> notModelInput = ScanPreprocessor.modelInputProblem(scan.image());
        if (notModelInput.isPresent()) {
            return refuse(settings.preprocessedTopic(), IgnoredReason.INVALID, key, notModelInput.get());
        }
        remember(scan.scanId(), scan.patientPseudonym(), scan.origin(), scan.device().toString());
        pending.reindex(scan.scanId(), timestamp);
        return USED;
    }

    private Optional<Refusal> refuse(String topic, IgnoredReason reason, String key, String detail) {
        listener.ignored(topic, reason, key, detail);
        return Optional.of(new Refusal(reason, detail == null ? "" : detail));
    }

    /** Patient, origin and device of a scan; a later fact fills what an earlier one lacked. */
    private void remember(String scanId, String patient, String origin, String device) {
        StoreSerdes.ScanFact known = scans.get(scanId);
        StoreSerdes.ScanFact fact = new StoreSerdes.ScanFact(
                patient != null ? patient : known == null ? null : known.patient(),
                origin != null ? origin : known == null ? null : known.origin(),
                device != null ? device : known == null ? null : known.device());
        if (!fact.equals(known)) {
            scans.put(scanId, fact);
        }
    }
}
