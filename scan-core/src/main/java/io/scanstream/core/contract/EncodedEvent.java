package io.scanstream.core.contract;

import org.apache.kafka.common.header.Headers;

/**
 * An event as a Kafka record holds it in binary content mode, not yet bound to a topic: messaging frameworks
 * take the topic from their channel configuration.
 */
public record EncodedEvent(String key, Headers headers, byte[] value) {
}
