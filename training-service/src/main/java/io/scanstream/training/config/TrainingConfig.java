package io.scanstream.training.config;

import io.scanstream.learning.settings.LearningConfig;
import io.scanstream.service.config.ModelSettings;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * training-service configuration ({@code training.*}; every key also as an environment variable, e.g.
 * {@code TRAINING_HEAD_EPOCHS}). How models are learnt and judged (head, learning rate, full network, validation,
 * gate) is {@link LearningConfig}, with its defaults, shared with the offline evaluation; topic names are
 * {@code scanstream.topics.*} ({@code TopicNames}).
 */
@ConfigMapping(prefix = "training")
public interface TrainingConfig extends LearningConfig {

    Model model();

    Trigger trigger();

    Reports reports();

    FineTune fineTune();

    Backbones backbones();

    Kafka kafka();

    Signing signing();

    /** How versions are signed (docs/security.md, "Signed model versions"). */
    interface Signing {
        /**
         * Sign every version (Ed25519). {@code false} publishes unsigned versions, which inference refuses unless
         * its {@code inference.signing.required=false}: development only, never in a deployment.
         */
        @WithDefault("true")
        boolean enabled();

        /**
         * The private key (PKCS#8 PEM, {@code openssl genpkey -algorithm ed25519}), mounted from a Secret
         * ({@code TRAINING_SIGNING_PRIVATE_KEY_FILE}). Required when {@code enabled}: without it the start fails.
         */
        Optional<Path> privateKeyFile();

        /**
         * Public keys (besides its own) whose versions training takes as the champion: the previous keys after a
         * rotation, as inference's {@code inference.signing.trusted-keys}. Files or directories of {@code *.pem}.
         */
        Optional<java.util.List<Path>> trustedKeys();
    }

    /** What one run may load ({@code training.runs.*}). */
    Runs runs();

    /**
     * The bound on a run's memory (docs/training.md, "Run memory"): a run reads the newest labelled scans (by
     * {@code labelledAt}) up to the cap, so its heap does not grow with the training set.
     */
    interface Runs {
        /**
         * A head run trains on at most the newest this many labelled scans (their embeddings: ~8 MB of vectors per
         * 1 000 at the multi-scale readout's 1952 floats; docs/training.md has the measured heap).
         */
        @WithDefault("50000")
        int maxExamples();

        /**
         * A fine-tuning run learns from at most the newest this many labelled scans' images (224x224 grey bytes held
         * for the run, about 50 KB each, and once more resized when {@code training.full-network.image-size} differs).
         */
        @WithDefault("10000")
        int maxImages();
    }

    /** How long the training set keeps what waits for its other half ({@code training.pending.*}). */
    Pending pending();

    /**
     * Pending state of the training-set topology (docs/training.md, "Pending state"). Ages are in stream time (the
     * records' timestamps), so a rebuild from the topics expires exactly what the running service would have.
     */
    interface Pending {
        /**
         * A scan (facts and embeddings of every backbone) with no label is dropped this long after it arrived.
         * Clinicians label late (weeks, for a PCR result or a follow-up): 30 days keeps those, and bounds the rest.
         */
        @WithDefault("30d")
        Duration unlabelledTtl();

        /**
         * A label for a scan the training set has never seen is dropped this long after it arrived. A label is made
         * on a scan the pipeline already has, so its scan arrives within the pipeline's backlog (minutes, hours after
         * an outage); a week covers that, and what is left is a mistyped id or another site's scan.
         */
        @WithDefault("7d")
        Duration orphanLabelTtl();

        /**
         * At most this many pending entries (both kinds) per partition of the input topics; the oldest go first.
         * Bounds the disk of a burst of unlabelled scans faster than the TTL (about 10 KB per scan and backbone).
         */
        @WithDefault("100000")
        int maxEntries();

        /** How often (in stream time) entries older than their TTL are looked for. */
        @WithDefault("1h")
        Duration sweepInterval();
    }

    /** What a failing Kafka Streams thread of the training set gets ({@code training.streams.*}). */
    Streams streams();

    interface Streams {
        /**
         * A failed stream thread is replaced this many times within {@link #replacementWindow()}; the next failure
         * in the window shuts the Streams client down (readiness DOWN) instead of replacing it for ever.
         */
        @WithDefault("3")
        int maxThreadReplacements();

        @WithDefault("10m")
        Duration replacementWindow();
    }

    /**
     * The bootstrap backbone (inference's too: the same file, before any backbone is published) and the model name.
     */
    interface Model extends ModelSettings {
        /** Where published backbones are kept once fetched and verified (a volume in Kubernetes). */
        @WithDefault(".scanstream/training/backbones")
        Path backboneCache();
    }

    interface Trigger {
        /** Start a head run after this many new or changed labels; 0 = off. */
        @WithDefault("50")
        int everyLabels();

        /** Scheduled runs (Quarkus scheduler syntax, e.g. {@code 6h}; {@code off} disables); skipped when nothing changed. */
        @WithDefault("1h")
        String interval();
    }

    interface Reports {
        /** One folder per run: report.json and the PNG plots. */
        @WithDefault(".scanstream/training/reports")
        Path dir();
    }

    /**
     * What starts fine-tuning runs besides {@code POST /training/runs?mode=FULL_NETWORK}. Off by default: a
     * fine-tuning run needs pretrained bootstrap weights and minutes of CPU (docs/training.md).
     */
    interface FineTune {
        /** Start one after this many new or changed labels since the last fine-tuning run; 0 = off. */
        @WithDefault("0")
        int everyLabels();

        /** Scheduled fine-tuning (e.g. {@code 24h}; {@code off} disables); skipped when no label changed. */
        @WithDefault("off")
        String interval();
    }

    /** Published backbones (models.backbones). */
    interface Backbones {
        /**
         * A backbone that none of the kept versions refers to is tombstoned once it is older than this (rollback to
         * its versions stays possible until then).
         */
        @WithDefault("7d")
        Duration retention();

        /**
         * The backbones of this many newest versions (and of the version in service) are kept whatever their age;
         * older versions whose backbone was retired can no longer be rolled back to (409).
         */
        @WithDefault("10")
        int keepVersions();

        /**
         * How fine-tuned backbones are served: {@code int8} (quantised on the run's training-side scans; runs on
         * ONNX Runtime only, about twice float32's speed on CPU) or {@code float32} (any engine: set it where
         * inference runs PyTorch, e.g. on a GPU). docs/training.md, "int8 backbones".
         */
        @WithDefault("int8")
        String servedAs();

        /** How often unreferenced backbones are looked for ({@code off} disables). */
        @WithDefault("1h")
        String retireInterval();
    }

    interface Kafka {
        @WithDefault("30s")
        Duration publishTimeout();

        /** How long reading models.published / scans.preprocessed to their end may take. */
        @WithDefault("60s")
        Duration readTimeout();
    }
}
