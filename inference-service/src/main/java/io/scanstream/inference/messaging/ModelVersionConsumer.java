package io.scanstream.inference.messaging;

import io.scanstream.core.contract.EventCodecs;
import io.scanstream.core.contract.InvalidEventException;
import io.scanstream.core.contract.ModelPublished;
import io.scanstream.inference.domain.ModelVersions;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Follows {@code models.published} from its beginning (a group of its own per replica), so a new replica
 * bootstraps from Kafka alone: the compacted topic holds the latest version of each model.
 */
@ApplicationScoped
public class ModelVersionConsumer {

    /** Incoming channel: bound to {@code models.published} in application.properties. */
    public static final String MODELS = "models-published";

    private static final Logger LOG = Logger.getLogger(ModelVersionConsumer.class);

    private final ModelVersions versions;

    public ModelVersionConsumer(ModelVersions versions) {
        this.versions = versions;
    }

    @Incoming(MODELS)
    @Blocking
    public void consume(ConsumerRecord<String, byte[]> record) {
        ModelPublished published;
        try {
            published = EventCodecs.MODEL_PUBLISHED.fromRecord(record);
        } catch (InvalidEventException e) {
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
}
