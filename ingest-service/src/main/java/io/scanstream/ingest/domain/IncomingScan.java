package io.scanstream.ingest.domain;

import org.apache.kafka.common.header.Headers;

/**
 * One record from {@code scans.arrived} as ingest sees it, before anything about it is trusted.
 *
 * @param key      the record key (the scan id by contract; may be null)
 * @param headers  the CloudEvents attributes in {@code ce_*} headers and {@code content-type}
 * @param payload  the image bytes (may be null or empty)
 * @param location where the record lives ({@code topic-partition@offset}); names scans that carry no id
 */
public record IncomingScan(String key, Headers headers, byte[] payload, String location) {

    /** What {@code location} says when the record's offset is unknown. */
    public static final String UNKNOWN_OFFSET = "@?";

    /**
     * The record's exact place ({@code topic-partition@offset}), or null when its offset is unknown: then it is never
     * taken for the same record as another.
     */
    public String position() {
        return location == null || location.endsWith(UNKNOWN_OFFSET) ? null : location;
    }
}
