package io.scanstream.core.contract;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

import java.nio.charset.StandardCharsets;

/** Reading a Kafka record's headers as text: the CloudEvents attributes (binary mode) and the signature headers. */
public final class HeaderValues {

    /** The CloudEvents type attribute in binary mode: which codec reads a record on a topic that carries several. */
    public static final String EVENT_TYPE = "ce_type";

    private HeaderValues() {
    }

    /** The last header of that name as UTF-8, or null when it is absent or has no value. */
    public static String text(Headers headers, String name) {
        Header header = headers.lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /** {@link #text}, with a blank value read as absent. */
    public static String nonBlank(Headers headers, String name) {
        String value = text(headers, name);
        return value == null || value.isBlank() ? null : value;
    }

    public static String eventType(Headers headers) {
        return text(headers, EVENT_TYPE);
    }
}
