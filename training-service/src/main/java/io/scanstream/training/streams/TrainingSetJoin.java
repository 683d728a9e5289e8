package io.scanstream.training.streams;

import io.scanstream.core.contract.EventCodecs;
import io.scanstream.core.contract.InvalidEventException;
import io.scanstream.core.contract.ScanEmbedding;
import io.scanstream.core.contract.ScanLabel;
import io.scanstream.core.contract.ScanPreprocessed;
import io.scanstream.training.domain.Embedder;
import io.scanstream.training.domain.TrainingExample;
import io.scanstream.training.domain.TrainingSetEvents;
import io.scanstream.training.domain.TrainingSetEvents.IgnoredReason;
import io.scanstream.training.streams.StoredFacts.PendingImage;
import io.scanstream.training.streams.StoredFacts.PendingLabel;
import io.scanstream.training.streams.StoredFacts.UnlabelledEmbedding;
import io.scanstream.training.domain.TrainingSetEvents.JoinPath;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The join of labels and embeddings by scan id, over the task's stores. Each scan id is in at most one of: the
 * training set (label + embedding), pending labels (label, no embedding yet), unlabelled embeddings (embedding, no
 * label yet); pending images hold preprocessed scans that have no embedding of the configured backbone. Whichever
 * half arrives second completes the row, so labels and embeddings join in either order, and a label for a scan
 * nobody has seen waits in pending labels until its embedding (or its image) arrives.
 *
 * <p>Rules: the latest label wins by {@code labelledAt} (an older label arriving late changes nothing; equal
 * times: the later arrival); embeddings of another backbone are ignored (the application id is per backbone, so a
 * new backbone starts an empty training set that is rebuilt, never mixed); when a scan without such an embedding
 * is labelled and its preprocessed image is here, the embedding is computed with the configured backbone; a
 * tombstone (null value) on labels or embeddings takes the row out of the training set and puts the other half
 * back to wait.
 */
final class TrainingSetJoin {

    private final TrainingSetTopology.Settings settings;
    private final Embedder embedder;
    private final TrainingSetEvents listener;
    private final KeyValueStore<String, TrainingExample> trainingSet;
    private final KeyValueStore<String, PendingLabel> pendingLabels;
    private final KeyValueStore<String, UnlabelledEmbedding> unlabelled;
    private final KeyValueStore<String, PendingImage> images;

    TrainingSetJoin(TrainingSetTopology.Settings settings, Embedder embedder, TrainingSetEvents listener,
                    KeyValueStore<String, TrainingExample> trainingSet,
                    KeyValueStore<String, PendingLabel> pendingLabels,
                    KeyValueStore<String, UnlabelledEmbedding> unlabelled,
                    KeyValueStore<String, PendingImage> images) {
        this.settings = settings;
        this.embedder = embedder;
        this.listener = listener;
        this.trainingSet = trainingSet;
        this.pendingLabels = pendingLabels;
        this.unlabelled = unlabelled;
        this.images = images;
    }

    void onLabel(String key, Headers headers, byte[] value) {
        String topic = settings.labelsTopic();
        if (value == null) {
            if (key != null) {
                labelDeleted(key);
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
            // Keyed elsewhere than its scan: it would land in another partition than the scan's embedding.
            listener.ignored(topic, IgnoredReason.KEY_MISMATCH, key, "record key differs from scanId " + scanId);
            return;
        }
        PendingLabel fact = new PendingLabel(label.label(), label.labelledBy(), label.labelledAt());
        TrainingExample row = trainingSet.get(scanId);
        if (row != null) {
            if (fact.labelledAt().isBefore(row.labelledAt())) {
                listener.ignored(topic, IgnoredReason.STALE_LABEL, scanId, "labelled at " + fact.labelledAt()
                        + ", the training set holds a label of " + row.labelledAt());
                return;
            }
            trainingSet.put(scanId, new TrainingExample(scanId, fact.label(), fact.labelledBy(), fact.labelledAt(),
                    row.patient(), row.backboneId(), row.vector(), row.origin()));
            if (row.label() != fact.label()) {
                listener.relabelled(scanId, row.label(), fact.label());
            }
            return;
        }
        UnlabelledEmbedding embedding = unlabelled.get(scanId);
        if (embedding != null) {
            trainingSet.put(scanId, example(scanId, fact, embedding.patient(), embedding.origin(),
                    embedding.vector()));
            unlabelled.delete(scanId);
            pendingLabels.delete(scanId);
            listener.joined(scanId, fact.label(), JoinPath.LABEL_AFTER_EMBEDDING);
            return;
        }
        PendingLabel waiting = pendingLabels.get(scanId);
        if (waiting != null && fact.labelledAt().isBefore(waiting.labelledAt())) {
            listener.ignored(topic, IgnoredReason.STALE_LABEL, scanId, "labelled at " + fact.labelledAt()
                    + ", a label of " + waiting.labelledAt() + " is waiting");
            return;
        }
        PendingImage image = images == null ? null : images.get(scanId);
        if (image != null && recompute(scanId, fact, image)) {
            return;
        }
        pendingLabels.put(scanId, fact);
    }

    void onEmbedding(String key, Headers headers, byte[] value) {
        String topic = settings.embeddingsTopic();
        if (value == null) {
            if (key != null) {
                embeddingDeleted(key);
            }
            return;
        }
        ScanEmbedding embedding;
        try {
            embedding = EventCodecs.EMBEDDED.fromHeaders(headers, value);
        } catch (InvalidEventException e) {
            listener.ignored(topic, IgnoredReason.INVALID, key, e.getMessage());
            return;
        }
        String scanId = embedding.scanId();
        if (!settings.backboneId().equals(embedding.backboneId())) {
            listener.ignored(topic, IgnoredReason.OTHER_BACKBONE, scanId, "embedded by " + embedding.backboneId()
                    + ", this training set is for " + settings.backboneId());
            return;
        }
        if (embedding.vector().length != settings.featureDim()) {
            listener.ignored(topic, IgnoredReason.WRONG_DIMENSION, scanId, embedding.vector().length
                    + " values, the backbone has "
                    + settings.featureDim());
            return;
        }
        if (images != null) {
            images.delete(scanId);
        }
        TrainingExample row = trainingSet.get(scanId);
        if (row != null) {
            // Re-embedded (e.g. a re-sent scan): same backbone, so the newer vector replaces the old one.
            trainingSet.put(scanId, new TrainingExample(scanId, row.label(), row.labelledBy(), row.labelledAt(),
                    embedding.patientPseudonym(), row.backboneId(), embedding.vector(), embedding.origin()));
            return;
        }
        PendingLabel label = pendingLabels.get(scanId);
        if (label != null) {
            trainingSet.put(scanId, example(scanId, label, embedding.patientPseudonym(), embedding.origin(),
                    embedding.vector()));
            pendingLabels.delete(scanId);
            listener.joined(scanId, label.label(), JoinPath.EMBEDDING_AFTER_LABEL);
            return;
        }
        unlabelled.put(scanId, new UnlabelledEmbedding(embedding.patientPseudonym(), embedding.origin(),
                embedding.vector()));
    }

    void onPreprocessed(String key, Headers headers, byte[] value) {
        String topic = settings.preprocessedTopic();
        if (value == null) {
            if (key != null) {
                images.delete(key);
            }
            return;
        }
        if (key != null && (trainingSet.get(key) != null || unlabelled.get(key) != null)) {
            return; // already embedded by the configured backbone
        }
        ScanPreprocessed scan;
        try {
            scan = EventCodecs.PREPROCESSED.fromHeaders(headers, value);
        } catch (InvalidEventException e) {
            listener.ignored(topic, IgnoredReason.INVALID, key, e.getMessage());
            return;
        }
        String scanId = scan.scanId();
        PendingImage image = new PendingImage(scan.patientPseudonym(), scan.origin(), scan.image());
        PendingLabel label = pendingLabels.get(scanId);
        if (label != null && recompute(scanId, label, image)) {
            pendingLabels.delete(scanId);
            return;
        }
        images.put(scanId, image);
    }

    /** Computes the embedding with the configured backbone and completes the row; false when that fails. */
    private boolean recompute(String scanId, PendingLabel label, PendingImage image) {
        float[] vector;
        try {
            vector = embedder.embed(image.image());
        } catch (RuntimeException e) {
            listener.ignored(settings.preprocessedTopic(), IgnoredReason.RECOMPUTE_FAILED, scanId, e.toString());
            return false;
        }
        trainingSet.put(scanId, example(scanId, label, image.patient(), image.origin(), vector));
        images.delete(scanId);
        pendingLabels.delete(scanId);
        listener.joined(scanId, label.label(), JoinPath.RECOMPUTED);
        return true;
    }

    private void labelDeleted(String scanId) {
        pendingLabels.delete(scanId);
        TrainingExample row = trainingSet.get(scanId);
        if (row != null) {
            trainingSet.delete(scanId);
            unlabelled.put(scanId, new UnlabelledEmbedding(row.patient(), row.origin(), row.vector()));
            listener.removed(scanId);
        }
    }

    private void embeddingDeleted(String scanId) {
        unlabelled.delete(scanId);
        TrainingExample row = trainingSet.get(scanId);
        if (row != null) {
            trainingSet.delete(scanId);
            pendingLabels.put(scanId, new PendingLabel(row.label(), row.labelledBy(), row.labelledAt()));
            listener.removed(scanId);
        }
    }

    private TrainingExample example(String scanId, PendingLabel label, String patient, String origin,
                                    float[] vector) {
        return new TrainingExample(scanId, label.label(), label.labelledBy(), label.labelledAt(), patient,
                settings.backboneId(), vector, origin);
    }
}
