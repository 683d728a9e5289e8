package io.scanstream.training.messaging;

import io.scanstream.core.artifact.BackboneChunks;
import io.scanstream.core.artifact.BackboneManifest;
import io.scanstream.core.artifact.BackboneRef;
import io.scanstream.core.contract.BackboneChunk;
import io.scanstream.core.contract.EventCodecs;
import io.scanstream.core.contract.EventTypes;
import io.scanstream.core.contract.InvalidEventException;
import io.scanstream.core.contract.HeaderValues;
import io.scanstream.core.contract.Topics;
import io.scanstream.core.integrity.Sha256;
import io.scanstream.service.config.TopicNames;
import io.scanstream.service.kafka.KafkaClientSettings;
import io.scanstream.training.config.TrainingConfig;
import io.scanstream.training.domain.BackbonePublisher;
import io.scanstream.training.domain.BackboneSource;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Published backbones on {@code models.backbones}: publishing a fine-tuned one (its chunks, then its manifest, each
 * acknowledged before the next step, so the manifest never names chunks the topic lacks), and fetching one a
 * version refers to (read to the topic's end, assembled, verified against the manifest and the reference, kept in
 * the cache folder by its sha256), and retiring the ones no version refers to any more (tombstones).
 */
@ApplicationScoped
public class PublishedBackbones implements BackbonePublisher, BackboneSource {

    static final String CLIENT = "backbone-publisher";
    private static final Logger LOG = Logger.getLogger(PublishedBackbones.class);

    private final String topic;
    private final Duration publishTimeout;
    private final Duration readTimeout;
    private final Path cache;
    private final TopicSnapshot snapshot;
    private final KafkaProducer<String, byte[]> producer;

    public PublishedBackbones(TrainingConfig config, TopicNames topics, TopicSnapshot snapshot,
                              KafkaClientSettings clients) {
        this.topic = topics.backbones();
        this.publishTimeout = config.kafka().publishTimeout();
        this.readTimeout = config.kafka().readTimeout();
        this.cache = config.model().backboneCache();
        this.snapshot = snapshot;
        this.producer = new KafkaProducer<>(clients.forClient(CLIENT, Map.of(
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.BACKBONE_MAX_MESSAGE_BYTES)),
                new StringSerializer(), new ByteArraySerializer());
    }

    @Override
    public void publish(BackboneManifest manifest, byte[] weights) {
        List<byte[]> chunks = BackboneChunks.split(weights, manifest.chunkBytes());
        try {
            for (int i = 0; i < chunks.size(); i++) {
                producer.send(EventCodecs.BACKBONE_CHUNK.toRecord(topic,
                        new BackboneChunk(manifest.backboneId(), i, chunks.get(i))));
            }
            producer.flush();
            producer.send(EventCodecs.BACKBONE_MANIFEST.toRecord(topic, manifest))
                    .get(publishTimeout.toMillis(), TimeUnit.MILLISECONDS);
            LOG.infof("backbone.published backbone=%s chunks=%d bytes=%d", manifest.backboneId(), chunks.size(),
                    weights.length);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted publishing backbone " + manifest.backboneId(), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not publish backbone " + manifest.backboneId() + ": " + e, e);
        }
    }

    @Override
    public Fetched fetch(BackboneRef reference) {
        Map<String, Published> all = read(reference.id());
        Published found = all.get(reference.id());
        if (found == null || found.manifest() == null) {
            throw new IllegalStateException("backbone " + reference.id() + " has no manifest on " + topic);
        }
        BackboneManifest manifest = found.manifest();
        if (!manifest.sha256().equalsIgnoreCase(reference.sha256())) {
            throw new IllegalStateException("backbone " + reference.id() + " on " + topic + " hashes to "
                    + manifest.sha256() + ", the version names " + reference.sha256());
        }
        Path file = cache.resolve(manifest.sha256() + ".params");
        if (cached(file, manifest.sha256())) {
            return new Fetched(file, manifest);
        }
        BackboneChunks.Assembly assembly = found.assembler().assemble(manifest);
        if (!(assembly instanceof BackboneChunks.Complete complete)) {
            throw new IllegalStateException("backbone " + reference.id() + " does not assemble: " + assembly);
        }
        return new Fetched(store(file, complete.weights()), manifest);
    }

    /**
     * Tombstones the chunks and manifest of every backbone that no version on models.published refers to and that
     * was published longer than {@code retention} ago (kept that long so that a version can still be rolled back
     * to it). Returns the ids retired.
     */
    public List<String> retireUnreferenced(Set<String> referenced, Duration retention, Instant now) {
        List<String> retired = new ArrayList<>();
        Map<String, Published> all = read(null);
        for (Map.Entry<String, Published> e : all.entrySet()) {
            BackboneManifest manifest = e.getValue().manifest();
            boolean young = manifest != null && manifest.createdAt().toInstant().plus(retention).isAfter(now);
            if (referenced.contains(e.getKey()) || young || e.getValue().isGone()) {
                continue;
            }
            for (int index : e.getValue().chunks()) {
                producer.send(new ProducerRecord<>(topic, BackboneManifest.chunkKey(e.getKey(), index), null));
            }
            producer.send(new ProducerRecord<>(topic, BackboneManifest.manifestKey(e.getKey()), null));
            retired.add(e.getKey());
        }
        producer.flush();
        uncache(all, retired);
        if (!retired.isEmpty()) {
            LOG.infof("backbone.retired backbones=%s retention=%s", retired, retention);
        }
        return retired;
    }

    /** Deletes the cached files of retired backbones, unless a backbone still published has the same bytes. */
    private void uncache(Map<String, Published> all, List<String> retired) {
        Set<String> kept = new java.util.HashSet<>();
        all.forEach((id, p) -> {
            if (!retired.contains(id) && p.manifest() != null) {
                kept.add(p.manifest().sha256());
            }
        });
        for (String id : retired) {
            BackboneManifest manifest = all.get(id).manifest();
            if (manifest != null && !kept.contains(manifest.sha256())) {
                try {
                    Files.deleteIfExists(cache.resolve(manifest.sha256() + ".params"));
                } catch (IOException e) {
                    LOG.warnf("backbone.uncache-failed backbone=%s reason=%s", id, e);
                }
            }
        }
    }

    /** What the topic holds now per backbone (only {@code backboneId}'s records when not null). */
    private Map<String, Published> read(String backboneId) {
        Map<String, Published> found = new LinkedHashMap<>();
        snapshot.read(topic, readTimeout, record -> {
            if (record.key() == null) {
                return;
            }
            String id = BackboneManifest.backboneOf(record.key());
            if (backboneId != null && !backboneId.equals(id)) {
                return;
            }
            boolean manifestKey = record.key().equals(BackboneManifest.manifestKey(id));
            Published p = found.computeIfAbsent(id, k -> new Published());
            if (record.value() == null) {
                if (manifestKey) {
                    p.manifest = null;
                } else {
                    chunkIndex(record.key()).ifPresent(i -> {
                        p.assembler.chunk(i, null);
                        p.chunks.remove(i);
                    });
                }
                return;
            }
            try {
                if (manifestKey && EventTypes.BACKBONE_MANIFEST.equals(HeaderValues.eventType(record.headers()))) {
                    p.manifest = EventCodecs.BACKBONE_MANIFEST.fromRecord(record);
                } else {
                    BackboneChunk chunk = EventCodecs.BACKBONE_CHUNK.fromRecord(record);
                    p.assembler.chunk(chunk.index(), chunk.bytes());
                    p.chunks.add(chunk.index());
                }
            } catch (InvalidEventException e) {
                // not part of a usable backbone: the assembly says what is missing
            }
        });
        return found;
    }

    /** A backbone's records as read from the topic. */
    private static final class Published {
        private final BackboneChunks.Assembler assembler = new BackboneChunks.Assembler();
        private final java.util.SortedSet<Integer> chunks = new java.util.TreeSet<>();
        private BackboneManifest manifest;

        BackboneManifest manifest() {
            return manifest;
        }

        BackboneChunks.Assembler assembler() {
            return assembler;
        }

        java.util.SortedSet<Integer> chunks() {
            return chunks;
        }

        /** Tombstoned already: nothing left to retire. */
        boolean isGone() {
            return manifest == null && chunks.isEmpty();
        }
    }

    private static java.util.Optional<Integer> chunkIndex(String key) {
        try {
            return java.util.Optional.of(Integer.parseInt(key.substring(key.lastIndexOf('/') + 1)));
        } catch (NumberFormatException e) {
            return java.util.Optional.empty();
        }
    }

    private static boolean cached(Path file, String sha256) {
        try {
            return Files.isRegularFile(file) && Sha256.hex(file).equalsIgnoreCase(sha256);
        } catch (IOException e) {
            return false;
        }
    }

    private static Path store(Path file, byte[] weights) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.write(tmp, weights);
            return Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    @PreDestroy
    void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
