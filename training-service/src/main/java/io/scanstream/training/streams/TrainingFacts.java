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
 */
final class TrainingFacts {

    private final TrainingSetTopology.Settings settings;
    private final TrainingSetEvents listener;
    private final KeyValueStore<String, StoreSerdes.LabelFact> labels;
    private final KeyValueStore<String, StoreSerdes.ScanFact> scans;
    private final KeyValueStore<String, float[]> embeddings;

    TrainingFacts(TrainingSetTopology.Settings settings, TrainingSetEvents listener,
                  KeyValueStore<String, StoreSerdes.LabelFact> labels, KeyValueStore<String, StoreSerdes.ScanFact> scans,
                  KeyValueStore<String, float[]> embeddings) {
        this.settings = settings;
        this.listener = listener;
        this.labels = labels;
        this.scans = scans;
        this.embeddings = embeddings;
    }

    /** The embeddings store's key: backbone, then scan (a backbone's embeddings are one prefix range). */
    static String embeddingKey(String backboneId, String scanId) {
        return backboneId + "|" + scanId;
    }

    void onLabel(String key, Headers headers, byte[] value) {
        String topic = settings.labelsTopic();
        if (value == null) {
            if (key != null && labels.delete(key) != null) {
                listener.removed(key);
            }
            return;
        }
        ScanLabel label;
        try {
            label = EventCodecs.LABELLED.fromHeaders(headers, value);
        } catch (InvalidEventException e) {
            listener.ignored(topic, IgnoredReason.INVALID, key, e.getMessage());
            return;
        }
        String scanId = label.scanId();
        if (key != null && !key.equals(scanId)) {
            listener.ignored(topic, IgnoredReason.KEY_MISMATCH, key, "record key differs from scanId " + scanId);
            return;
        }
        StoreSerdes.LabelFact fact = new StoreSerdes.LabelFact(label.label(), label.labelledBy(), label.labelledAt());
        StoreSerdes.LabelFact known = labels.get(scanId);
        if (known != null && fact.labelledAt().isBefore(known.labelledAt())) {
            listener.ignored(topic, IgnoredReason.STALE_LABEL, scanId, "labelled at " + fact.labelledAt()
                    + ", the scan holds a label of " + known.labelledAt());
            return;
        }
        labels.put(scanId, fact);
        if (known == null) {
            listener.labelled(scanId, fact.label());
        } else if (known.label() != fact.label()) {
            listener.relabelled(scanId, known.label(), fact.label());
        }
    }

    void onEmbedding(String key, Headers headers, byte[] value) {
        if (value == null) {
            return; // a compacted-away scan: its other embeddings and its label stay
        }
        ScanEmbedding embedding;
        try {
            embedding = EventCodecs.EMBEDDED.fromHeaders(headers, value);
        } catch (InvalidEventException e) {
            listener.ignored(settings.embeddingsTopic(), IgnoredReason.INVALID, key, e.getMessage());
            return;
        }
        if (key != null && !key.equals(embedding.scanId())) {
            listener.ignored(settings.embeddingsTopic(), IgnoredReason.KEY_MISMATCH, key,
                    "record key differs from scanId " + embedding.scanId());
            return;
        }
        remember(embedding.scanId(), embedding.patientPseudonym(), embedding.origin(), embedding.device().toString());
        embeddings.put(embeddingKey(embedding.backboneId(), embedding.scanId()), embedding.vector());
        listener.embedded(embedding.scanId(), embedding.backboneId());
    }

    void onPreprocessed(String key, Headers headers, byte[] value) {
        if (value == null) {
            return;
        }
        ScanPreprocessed scan;
        try {
            scan = EventCodecs.PREPROCESSED.fromHeaders(headers, value);
        } catch (InvalidEventException e) {
            listener.ignored(settings.preprocessedTopic(), IgnoredReason.INVALID, key, e.getMessage());
            return;
        }
        Optional<String> notModelInput = ScanPreprocessor.modelInputProblem(scan.image());
        if (notModelInput.isPresent()) {
            listener.ignored(settings.preprocessedTopic(), IgnoredReason.INVALID, key, notModelInput.get());
            return;
        }
        remember(scan.scanId(), scan.patientPseudonym(), scan.origin(), scan.device().toString());
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
