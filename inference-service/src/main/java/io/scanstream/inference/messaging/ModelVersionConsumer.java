package io.scanstream.inference.messaging;

import io.scanstream.core.contract.EventCodecs;
import io.scanstream.core.contract.InvalidEventException;
import io.scanstream.core.contract.ModelPublished;
import io.scanstream.core.contract.HeaderValues;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import io.scanstream.core.signing.ModelSignature;
import io.scanstream.inference.domain.ModelReplay;
import io.scanstream.inference.domain.ModelVersions;
import io.scanstream.inference.domain.VersionSignatures;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import java.util.Optional;

/**
 * Follows {@code models.published} from its beginning (a group of its own per replica), so a new replica
 * bootstraps from Kafka alone: the compacted topic keeps every version (key = model name + version), in
 * publication order, so the replay ends on the newest valid record, a rollback included. Each handled record is
 * reported to {@link ModelReplay}: the replica serves scans only once it has replayed the topic to its end.
 */
@ApplicationScoped
public class ModelVersionConsumer {

    /** Incoming channel: bound to {@code models.published} in application.properties. */
    public static final String MODELS = "models-published";

    private static final Logger LOG = Logger.getLogger(ModelVersionConsumer.class);

    private final ModelVersions versions;
    private final VersionSignatures signatures;
    private final ModelReplay replay;

    public ModelVersionConsumer(ModelVersions versions, VersionSignatures signatures, ModelReplay replay) {
        this.versions = versions;
        this.signatures = signatures;
        this.replay = replay;
    }

    @Incoming(MODELS)
    @Blocking
    public void consume(ConsumerRecord<String, byte[]> record) {
        try {
            handle(record);
        } finally {
            // loaded and pending, refused, or waiting for its backbone: either way this record is replayed
            replay.handled(ModelReplay.partition(record.topic(), record.partition()), record.offset());
        }
    }

    private void handle(ConsumerRecord<String, byte[]> record) {
        // The signature first, over the value bytes as they arrived: nothing is parsed or allocated for a record
        // that is unsigned or not signed by a trusted key.
        String label = "unread(key=" + record.key() + ", offset=" + record.offset() + ")";
        Optional<ModelVersions.Refused> unsigned = signatures.check(label,
                HeaderValues.text(record.headers(), ModelSignature.KEY_ID_HEADER),
                HeaderValues.text(record.headers(), ModelSignature.SIGNATURE_HEADER), record.value());
        if (unsigned.isPresent()) {
            ModelVersions.Refused r = versions.refuse(unsigned.get());
            LOG.warnf("model.refused key=%s offset=%d reason=%s detail=\"%s\"; the serving version stays",
                    record.key(), record.offset(), r.reason(), r.detail());
            return;
        }
        ModelPublished published;
        try {
            published = EventCodecs.MODEL_PUBLISHED.fromRecord(record);
        } catch (InvalidEventException e) {
            if (invalidMetadata(e)) {
                ModelVersions.Refused r = versions.refuse(new ModelVersions.Refused(label,
                        ModelVersions.RefusalReason.INVALID_METADATA, e.getMessage()));
                LOG.warnf("model.refused key=%s offset=%d reason=%s detail=\"%s\"; the serving version stays",
                        record.key(), record.offset(), r.reason(), r.detail());
                return;
            }
            versions.unreadable();
            LOG.warnf("model.refused key=%s offset=%d reason=UNREADABLE detail=\"%s\"", record.key(), record.offset(), e.getMessage());
            return;
        }
        ModelVersions.Verdict verdict = versions.offer(published.artifact());
        if (verdict instanceof ModelVersions.Accepted a) {
            LOG.infof("model.accepted model=%s version=%s (served from the next batch)", published.modelName(), a.version());
        } else if (verdict instanceof ModelVersions.Refused r) {
            LOG.warnf("model.refused model=%s version=%s reason=%s detail=\"%s\"; the serving version stays",
                    published.modelName(), r.version(), r.reason(), r.detail());
        } else {
            LOG.debugf("model.unchanged version=%s", published.version());
        }
    }

    /** Metadata that parses as JSON but breaks a record's rules (a negative width, a missing field). */
    private static boolean invalidMetadata(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ValueInstantiationException || t instanceof MismatchedInputException) {
                return true;
            }
        }
        return false;
    }
}
