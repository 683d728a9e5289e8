package io.scanstream.core.contract;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;

import java.util.Optional;

/** What a consumer would see of a produced record (for codec tests that need no broker). */
final class Records {

    private Records() {
    }

    static ConsumerRecord<String, byte[]> delivered(ProducerRecord<String, byte[]> record) {
        return new ConsumerRecord<>(record.topic(), 0, 0L, 0L, TimestampType.CREATE_TIME, -1, -1,
                record.key(), record.value(), new RecordHeaders(record.headers().toArray()), Optional.empty());
    }
}
