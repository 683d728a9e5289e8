package io.scanstream.training.domain;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.UUID;

/**
 * Run ids and version names. A version is {@code v<yyyyMMddHHmmss UTC>-<run id>}: unique (the run id is random)
 * and sortable by creation time as a string, to the second.
 */
public final class VersionNames {

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMddHHmmss").withZone(ZoneOffset.UTC);

    private VersionNames() {
    }

    /** Eight hex digits, random. */
    public static String newRunId() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    public static String version(Instant createdAt, String runId) {
        return "v" + STAMP.format(createdAt) + "-" + runId;
    }
}
