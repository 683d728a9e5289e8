package io.scanstream.inference.messaging;

import io.scanstream.core.artifact.BackboneManifest;
import io.scanstream.core.contract.EventCodecs;
import io.scanstream.core.contract.EventTypes;
import io.scanstream.core.contract.InvalidEventException;
import io.scanstream.core.contract.HeaderValues;
import io.scanstream.inference.domain.BackboneLibrary;
import io.scanstream.inference.domain.ModelReplay;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;


/**
 * Follows {@code models.backbones} from its beginning (a group of its own per replica), so a new replica assembles
 * every published backbone from Kafka alone; tombstones remove retired ones.
 */
@ApplicationScoped
public class BackboneConsumer {

    /** Incoming channel: bound to {@code models.backbones} in application.properties. */
    public static final String BACKBONES = "models-backbones";

    private static final Logger LOG = Logger.getLogger(BackboneConsumer.class);

    private final BackboneLibrary library;
    private final ModelReplay replay;

    public BackboneConsumer(BackboneLibrary library, ModelReplay replay) {
        this.library = library;
        this.replay = replay;
    }

    @Incoming(BACKBONES)
    @Blocking
    public void consume(ConsumerRecord<String, byte[]> record) {
        try {
            handle(record);
        } finally {
            // a manifest that completes a backbone has loaded the version waiting for it by now
            replay.handled(ModelReplay.partition(record.topic(), record.partition()), record.offset());
        }
    }

    private void handle(ConsumerRecord<String, byte[]> record) {
        String key = record.key();
        if (key == null) {
            LOG.warnf("backbone.record.ignored offset=%d reason=\"no key\"", record.offset());
            return;
        }
        String backboneId = BackboneManifest.backboneOf(key);
        boolean manifest = key.endsWith("/manifest");
        if (record.value() == null) {
            if (manifest) {
                library.manifestRemoved(backboneId);
            } else {
                library.chunkRemoved(backboneId, Integer.parseInt(key.substring(key.lastIndexOf('/') + 1)));
            }
            return;
        }
        try {
            if (EventTypes.BACKBONE_MANIFEST.equals(HeaderValues.eventType(record.headers()))) {
                BackboneManifest m = EventCodecs.BACKBONE_MANIFEST.fromRecord(record);
                LOG.infof("backbone.manifest backbone=%s chunks=%d bytes=%d", m.backboneId(), m.chunks(),
                        m.sizeBytes());
                library.manifest(m);
            } else {
                library.chunk(EventCodecs.BACKBONE_CHUNK.fromRecord(record));
            }
        } catch (InvalidEventException | IllegalArgumentException e) {
            LOG.warnf("backbone.record.ignored key=%s offset=%d reason=\"%s\"", key, record.offset(), e.getMessage());
        }
    }
}
