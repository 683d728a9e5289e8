package io.scanstream.service.kafka;

import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.scanstream.core.contract.EncodedEvent;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Wraps a record written by the CloudEvents Kafka binding (key, {@code ce_*} headers, value) as a SmallRye
 * message, so channels publish exactly what the contract's codecs produce.
 */
public final class CloudEventMessages {

    private CloudEventMessages() {
    }

    /** To the channel's configured topic. */
    public static Message<byte[]> toChannelTopic(EncodedEvent record) {
        return Message.of(record.value()).addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                .withKey(record.key()).withHeaders(record.headers()).build());
    }

    /** To another topic than the channel's (a second topic written in the same transaction). */
    public static Message<byte[]> toTopic(String topic, EncodedEvent record) {
        return Message.of(record.value()).addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                .withTopic(topic).withKey(record.key()).withHeaders(record.headers()).build());
    }
}
