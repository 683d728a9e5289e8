package io.scanstream.ingest.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/**
 * ingest-service configuration ({@code ingest.*}; every key can be set as an environment variable, e.g.
 * {@code INGEST_LIMITS_MAX_BYTES}).
 */
@ConfigMapping(prefix = "ingest")
public interface IngestConfig {

    Limits limits();

    /** How DICOM scans become grey ({@code ingest.dicom.*}). */
    Dicom dicom();

    /** Reject a scan whose content-type disagrees with its bytes (true), or trust the bytes (false). */
    @WithDefault("true")
    boolean strictContentType();

    /** Accepted scan ids remembered for duplicate detection (about 150 bytes each). */
    @WithDefault("100000")
    int dedupeCapacity();

    /** Topic of rejections; written in the same Kafka transaction as the preprocessed scans. */
    @WithDefault("scans.rejected")
    String rejectedTopic();

    /** HMAC key that pseudonymises patient references. Required: there is no safe default. */
    @WithName("pseudonymisation-key")
    String pseudonymisationKey();

    interface Limits {
        /** Largest payload accepted, in bytes. */
        @WithDefault("20971520")
        long maxBytes();

        /** Widest image accepted, from the header, before decoding. */
        @WithDefault("8192")
        int maxWidth();

        /** Tallest image accepted, from the header, before decoding. */
        @WithDefault("8192")
        int maxHeight();

        /** Most pixels accepted (width x height), from the header, before decoding. */
        @WithDefault("40000000")
        long maxPixels();
    }

    interface Dicom {
        /** Level (centre) of the window Hounsfield units are shown through, in HU: the lung window by default. */
        @WithDefault("-600")
        double windowLevel();

        /** Width of that window, in HU (at least 1). */
        @WithDefault("1500")
        double windowWidth();

        /**
         * {@code configured}: every CT slice through the window above, the same for all devices (what training
         * assumes); {@code file}: the file's own first Window Center/Width where it has one.
         */
        @WithDefault("configured")
        WindowSource windowSource();

        enum WindowSource { CONFIGURED, FILE }
    }
}
