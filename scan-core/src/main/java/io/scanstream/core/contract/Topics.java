package io.scanstream.core.contract;

import io.scanstream.core.artifact.BackboneChunks;
import io.scanstream.core.imaging.DecodeLimits;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The contract's topics: default names and the configs each must be created with.
 *
 * <p>Services bind channels to these names only in {@code application.properties}; everything that creates
 * topics (test broker, local stack, Kubernetes manifests) takes names and configs from here.
 */
public final class Topics {

    public static final String SCANS_ARRIVED = "scans.arrived";
    public static final String SCANS_REJECTED = "scans.rejected";
    public static final String SCANS_PREPROCESSED = "scans.preprocessed";
    public static final String SCANS_PREDICTIONS = "scans.predictions";
    public static final String SCANS_EMBEDDINGS = "scans.embeddings";
    public static final String SCANS_LABELS = "scans.labels";
    public static final String MODELS_PUBLISHED = "models.published";
    public static final String MODELS_BACKBONES = "models.backbones";
    public static final String TRAINING_DEAD_LETTERS = "training.dead-letters";
    /** Ingest's memory of accepted scans (scan id → content sha256), for duplicates across restarts. */
    public static final String SCANS_SEEN = "scans.seen";

    /**
     * Head artifacts travel inside the event; 16 MiB leaves room for the widest head (VGG or MobileNetV2). Fetch
     * sizes of model readers take this figure ({@code ${scanstream.limits.model-message-bytes}}).
     */
    public static final int MODEL_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

    /**
     * Raw scans can be large: ingest's default payload limit plus room for the CloudEvent's headers. Producers'
     * request sizes and consumers' fetch sizes of raw scans take this figure (application.properties:
     * {@code ${scanstream.limits.scan-message-bytes}}).
     */
    public static final int SCAN_MAX_MESSAGE_BYTES = (int) DecodeLimits.DEFAULT_MAX_BYTES + 64 * 1024;

    private static final String MONTH_MS = String.valueOf(30L * 24 * 3600 * 1000);

    public static final int DEFAULT_PARTITIONS = 3;

    /**
     * How long {@code scans.arrived} keeps a record. Arrivals carry raw patient references ({@code ce_subject}; a
     * scanner publishing DICOM to Kafka puts the whole file, with name and birth date, there): they are needed only
     * until ingest has read them, normally seconds. Three days still cover an ingest outage over a long weekend;
     * deployments choose shorter with {@link #arrived(Duration)} (local stack {@code --arrived-retention}, the
     * Kubernetes KafkaTopic, compose's {@code SCANSTREAM_ARRIVED_RETENTION_MS}); docs/security.md.
     */
    public static final Duration DEFAULT_ARRIVED_RETENTION = Duration.ofDays(3);

    public static final TopicSpec ARRIVED = arrived(DEFAULT_ARRIVED_RETENTION);
    public static final TopicSpec REJECTED = new TopicSpec(SCANS_REJECTED, DEFAULT_PARTITIONS, Map.of(
            "retention.ms", MONTH_MS));
    /** Compacted and kept: a change of backbone recomputes embeddings from here. */
    public static final TopicSpec PREPROCESSED = new TopicSpec(SCANS_PREPROCESSED, DEFAULT_PARTITIONS, Map.of(
            "cleanup.policy", "compact"));
    public static final TopicSpec PREDICTIONS = new TopicSpec(SCANS_PREDICTIONS, DEFAULT_PARTITIONS, Map.of(
            "retention.ms", MONTH_MS));
    /** Compacted: the training set is rebuilt from the latest embedding of each scan. */
    public static final TopicSpec EMBEDDINGS = new TopicSpec(SCANS_EMBEDDINGS, DEFAULT_PARTITIONS, Map.of(
            "cleanup.policy", "compact"));
    /** Compacted: the latest label of a scan wins. */
    public static final TopicSpec LABELS = new TopicSpec(SCANS_LABELS, DEFAULT_PARTITIONS, Map.of(
            "cleanup.policy", "compact"));
    /** Compacted, keyed by model name: a new inference replica bootstraps from the latest version alone. */
    public static final TopicSpec MODELS = new TopicSpec(MODELS_PUBLISHED, 1, Map.of(
            "cleanup.policy", "compact",
            "max.message.bytes", String.valueOf(MODEL_MAX_MESSAGE_BYTES)));

    /** A backbone chunk record: a chunk plus its headers. */
    public static final int BACKBONE_MAX_MESSAGE_BYTES = BackboneChunks.DEFAULT_CHUNK_BYTES + 64 * 1024;

    /**
     * Compacted, keyed by {@code <backboneId>/<chunk>} and {@code <backboneId>/manifest}: a replica assembles any
     * published backbone from Kafka alone; training tombstones backbones no retained version refers to.
     */
    public static final TopicSpec BACKBONES = new TopicSpec(MODELS_BACKBONES, 1, Map.of(
            "cleanup.policy", "compact",
            "max.message.bytes", String.valueOf(BACKBONE_MAX_MESSAGE_BYTES)));

    /**
     * Records the training set's topology could not use (undecodable, keyed wrongly, or failing its rules): the
     * original record with the reason in headers, so that one bad record neither stops the stream nor vanishes.
     * Keyed like the source; kept a month for an operator to read.
     */
    public static final TopicSpec DEAD_LETTERS = new TopicSpec(TRAINING_DEAD_LETTERS, 1, Map.of(
            "retention.ms", MONTH_MS));

    /**
     * How long ingest remembers an accepted scan id across restarts: a re-delivery or a reused id later than this
     * is no longer recognised (within one process the in-memory map may still know it).
     */
    public static final Duration SEEN_RETENTION = Duration.ofDays(30);

    /**
     * Compacted and deleted after {@link #SEEN_RETENTION}: one small record (~150 bytes) per accepted scan id, keyed
     * by scan id and written by ingest in the partition of the {@code scans.arrived} record it came from, in the
     * transaction of the scan's outcome. Ingest reads the partitions it is assigned back at start and on every
     * rebalance, so its partition count must equal {@code scans.arrived}'s.
     */
    public static final TopicSpec SEEN = new TopicSpec(SCANS_SEEN, DEFAULT_PARTITIONS, Map.of(
            "cleanup.policy", "compact,delete",
            "retention.ms", String.valueOf(SEEN_RETENTION.toMillis())));

    public static final List<TopicSpec> ALL = List.of(ARRIVED, REJECTED, PREPROCESSED, PREDICTIONS, EMBEDDINGS, LABELS,
            MODELS, BACKBONES, DEAD_LETTERS, SEEN);

    private Topics() {
    }

    /** {@code scans.arrived} with another retention (at least a minute: ingest must be able to read it). */
    public static TopicSpec arrived(Duration retention) {
        if (retention.compareTo(Duration.ofMinutes(1)) < 0) {
            throw new IllegalArgumentException("the retention of " + SCANS_ARRIVED + " must be at least a minute, got "
                    + retention);
        }
        return new TopicSpec(SCANS_ARRIVED, DEFAULT_PARTITIONS, Map.of(
                "retention.ms", String.valueOf(retention.toMillis()),
                "max.message.bytes", String.valueOf(SCAN_MAX_MESSAGE_BYTES)));
    }

    /** {@link #ALL} with {@code scans.arrived} kept for {@code arrivedRetention}. */
    public static List<TopicSpec> all(Duration arrivedRetention) {
        return ALL.stream().map(t -> t.name().equals(SCANS_ARRIVED) ? arrived(arrivedRetention) : t).toList();
    }

    /**
     * The configuration property that renames a topic in every service, e.g. {@code scanstream.topics.arrived}
     * for {@code scans.arrived}; application.properties bind channels with {@code ${scanstream.topics.arrived:scans.arrived}}.
     */
    public static String propertyOf(String defaultName) {
        String shortName = switch (defaultName) {
            case MODELS_PUBLISHED -> "models";
            case MODELS_BACKBONES -> "backbones";
            default -> defaultName.substring(defaultName.indexOf('.') + 1);
        };
        return "scanstream.topics." + shortName;
    }

    public static TopicSpec byName(String name) {
        return ALL.stream().filter(t -> t.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("not a contract topic: " + name));
    }
}
