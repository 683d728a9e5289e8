package io.scanstream.core.contract;

import io.cloudevents.CloudEvent;
import io.cloudevents.kafka.KafkaMessageFactory;
import io.cloudevents.rw.CloudEventRWException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;

import java.util.ArrayList;
import java.util.List;

/**
 * Maps one event type of the contract to and from CloudEvents, and CloudEvents to and from Kafka records in
 * binary content mode (CloudEvents Java SDK, {@code cloudevents-kafka}).
 *
 * @param <T> the event's value type
 */
public abstract class EventCodec<T> {

    /** Headers that every binary-mode record of the contract carries. */
    static final List<String> REQUIRED_HEADERS = List.of("ce_specversion", "ce_id", "ce_source", "ce_type");

    private final String eventType;

    protected EventCodec(String eventType) {
        this.eventType = eventType;
    }

    public String eventType() {
        return eventType;
    }

    /** The record key: the scan id unless the event says otherwise. */
    public abstract String key(T event);

    public abstract CloudEvent toCloudEvent(T event);

    /** @throws InvalidEventException when the event does not satisfy the contract */
    protected abstract T fromCloudEvent(CloudEvent event);

    public final ProducerRecord<String, byte[]> toRecord(String topic, T event) {
        return KafkaMessageFactory.<String>createWriter(topic, null, null, key(event)).writeBinary(toCloudEvent(event));
    }

    /** Key, headers and value in binary content mode, for channels whose topic is configured elsewhere. */
    public final EncodedEvent encode(T event) {
        // The SDK's writer needs a topic to build a ProducerRecord; only its key, headers and value are kept.
        ProducerRecord<String, byte[]> record = toRecord("unbound", event);
        return new EncodedEvent(record.key(), record.headers(), record.value());
    }

    /** @throws InvalidEventException when the record is not a valid event of this type */
    public final T fromRecord(ConsumerRecord<String, byte[]> record) {
        return fromHeaders(record.headers(), record.value());
    }

    /** @throws InvalidEventException when the headers and value are not a valid event of this type */
    public final T fromHeaders(Headers headers, byte[] value) {
        requireHeaders(headers, REQUIRED_HEADERS);
        CloudEvent event;
        try {
            event = KafkaMessageFactory.createReader(headers, value).toEvent();
        } catch (CloudEventRWException | IllegalStateException | IllegalArgumentException e) {
            throw new InvalidEventException(RejectionReason.MISSING_ATTRIBUTE,
                    "not a valid CloudEvent: " + e.getMessage(), e);
        }
        return decode(event);
    }

    /** @throws InvalidEventException when the event is not of this type or its payload does not parse */
    public final T decode(CloudEvent event) {
        if (!accepts(event.getType())) {
            throw new InvalidEventException(RejectionReason.UNSUPPORTED_FORMAT,
                    "ce_type '" + event.getType() + "' is not " + eventType);
        }
        return fromCloudEvent(event);
    }

    /** Whether events of this {@code ce_type} are read by this codec (a later version may accept earlier types). */
    protected boolean accepts(String type) {
        return eventType.equals(type);
    }

    static void requireHeaders(Headers headers, List<String> names) {
        List<String> missing = new ArrayList<>();
        for (String name : names) {
            if (HeaderValues.nonBlank(headers, name) == null) {
                missing.add(name);
            }
        }
        if (!missing.isEmpty()) {
            throw new InvalidEventException(RejectionReason.MISSING_ATTRIBUTE,
                    "missing required CloudEvents attribute(s): " + String.join(", ", missing));
        }
    }

    protected static byte[] data(CloudEvent event) {
        return event.getData() == null ? new byte[0] : event.getData().toBytes();
    }

    protected static String requiredExtension(CloudEvent event, String name) {
        Object value = event.getExtension(name);
        if (value == null || value.toString().isBlank()) {
            throw new InvalidEventException(RejectionReason.MISSING_ATTRIBUTE,
                    "missing CloudEvents extension attribute ce_" + name);
        }
        return value.toString();
    }

    protected static String optionalExtension(CloudEvent event, String name) {
        Object value = event.getExtension(name);
        return value == null || value.toString().isBlank() ? null : value.toString();
    }

    protected static int intExtension(CloudEvent event, String name) {
        String value = requiredExtension(event, name);
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new InvalidEventException(RejectionReason.MISSING_ATTRIBUTE,
                    "extension ce_" + name + " is not an integer: " + value);
        }
    }
}
