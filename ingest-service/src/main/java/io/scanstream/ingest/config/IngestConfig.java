package io.scanstream.ingest.config;

import io.scanstream.core.imaging.DecodeLimits;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * ingest-service configuration ({@code ingest.*}; every key can be set as an environment variable, e.g.
 * {@code INGEST_LIMITS_MAX_BYTES}). Topic names are {@code scanstream.topics.*} ({@code TopicNames}).
 */
@ConfigMapping(prefix = "ingest")
public interface IngestConfig {

    Limits limits();

    /** How DICOM scans become grey ({@code ingest.dicom.*}). */
    Dicom dicom();

    /** How a batch's scans are decoded ({@code ingest.decode.*}). */
    Decode decode();

    /** Reject a scan whose content-type disagrees with its bytes (true), or trust the bytes (false). */
    @WithDefault("true")
    boolean strictContentType();

    /** Accepted scan ids remembered for duplicate detection (about 150 bytes each). */
    @WithDefault("100000")
    int dedupeCapacity();

    /**
     * How long reading back the accepted scans of newly assigned partitions ({@code scans.seen}) may take before the
     * channel fails (it must finish inside the consumer's max.poll.interval.ms, 5 minutes by default).
     */
    @WithDefault("60s")
    java.time.Duration dedupeLoadTimeout();

    /** Bounds on HTTP uploads, {@code POST /scans} and {@code POST /studies} ({@code ingest.http.*}). */
    Http http();

    /** Who may call ingest's HTTP endpoints and as which device ({@code ingest.auth.*}). */
    Auth auth();

    /** When liveness reports the process stuck ({@code ingest.liveness.*}). */
    Liveness liveness();

    interface Liveness {
        /**
         * Consecutive failed transactions (every batch re-read and aborted: a fenced producer, or one stuck beyond
         * max.block.ms) after which liveness goes DOWN and the pod is restarted.
         */
        @WithDefault("5")
        int failedTransactions();
    }

    /**
     * HMAC key that pseudonymises patient references. Required: there is no safe default; placeholders and weak
     * keys are refused at start-up ({@code PseudonymisationKeys}). Give it from a Secret (file or environment).
     */
    @WithName("pseudonymisation-key")
    String pseudonymisationKey();

    /** What the decoder accepts; each unset limit is {@link DecodeLimits#DEFAULT}'s (their one home). */
    interface Limits {
        /** Largest payload accepted, in bytes. */
        OptionalLong maxBytes();

        /** Widest image accepted, from the header, before decoding. */
        OptionalInt maxWidth();

        /** Tallest image accepted, from the header, before decoding. */
        OptionalInt maxHeight();

        /** Most pixels accepted (width x height), from the header, before decoding. */
        OptionalLong maxPixels();

        /**
         * Most bytes one decoded raster may take (width x height x bands x bytes per sample, from the header, before
         * the decoder allocates).
         */
        OptionalLong maxRasterBytes();

        default DecodeLimits decodeLimits() {
            DecodeLimits d = DecodeLimits.DEFAULT;
            return new DecodeLimits(maxBytes().orElse(d.maxBytes()), maxWidth().orElse(d.maxWidth()),
                    maxHeight().orElse(d.maxHeight()), maxPixels().orElse(d.maxPixels()),
                    maxRasterBytes().orElse(d.maxRasterBytes()));
        }
    }

    interface Decode {
        /**
         * Scans of a batch decoded at once, each on a worker thread ({@code ingest-decode-N}); 1 decodes them one
         * after another on the consuming thread. Unset: {@link #defaultParallelism()}. Each running decode may hold
         * a raster of {@code ingest.limits.max-raster-bytes}: the heap must allow this many of them.
         */
        OptionalInt parallelism();

        /** The configured parallelism, else the default; at least 1. */
        default int decodeParallelism() {
            int parallelism = parallelism().orElse(defaultParallelism());
            if (parallelism < 1) {
                throw new IllegalArgumentException("ingest.decode.parallelism must be at least 1 (1 decodes one scan"
                        + " at a time on the consuming thread), was " + parallelism);
            }
            return parallelism;
        }

        /**
         * The processors this JVM may use (in a container: its CPU limit, rounded up): decoding is CPU-bound, more
         * workers than processors only add memory.
         */
        static int defaultParallelism() {
            return Runtime.getRuntime().availableProcessors();
        }
    }

    interface Http {
        /**
         * Largest request body, in bytes; a larger declared Content-Length is answered 413 before the body is read.
         * Defaults to the contract's largest scan record ({@code scanstream.limits.scan-message-bytes}).
         */
        @WithDefault("${scanstream.limits.scan-message-bytes}")
        long maxBodyBytes();

        /**
         * Uploads in progress at once per replica; one more is answered 429 with Retry-After. Each buffers its whole
         * body: this times max-body-bytes is the heap uploads may take (16 x 20 MiB = 330 MB by default).
         */
        @WithDefault("16")
        int maxConcurrentUploads();

        /** What a 429 tells the device to wait (Retry-After, whole seconds). */
        @WithDefault("2s")
        java.time.Duration retryAfter();
    }

    interface Auth {
        /**
         * The bearer-token claim that names the calling device (its {@code ce-source}); without it in a token, the
         * token's subject. Client certificates name the device in their CN ({@code /devices/<CN>}).
         */
        @WithDefault("device")
        String deviceClaim();
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
