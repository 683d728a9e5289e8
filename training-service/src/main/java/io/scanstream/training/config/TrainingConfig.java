package io.scanstream.training.config;

import io.scanstream.learning.settings.LearningConfig;
import io.scanstream.service.config.ModelSettings;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.time.Duration;

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

    Embeddings embeddings();

    Kafka kafka();

    /** The backbone whose embeddings the head is trained on (the one inference serves), and the model name. */
    interface Model extends ModelSettings {
    }

    interface Trigger {
        /** Start a run after this many new or changed labels joined the training set; 0 = off. */
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

    interface Embeddings {
        /**
         * Keep the preprocessed image of scans that have no embedding of the configured backbone yet, and compute
         * the embedding when such a scan is labelled (a changed backbone, or an inference replica behind).
         */
        @WithDefault("true")
        boolean recompute();
    }

    interface Kafka {
        @WithDefault("30s")
        Duration publishTimeout();

        /** How long reading models.published / scans.preprocessed to their end may take. */
        @WithDefault("60s")
        Duration readTimeout();
    }
}
