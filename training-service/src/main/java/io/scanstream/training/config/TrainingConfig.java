package io.scanstream.training.config;

import io.scanstream.training.domain.GateMetric;
import io.scanstream.training.training.CyclicLearningRate;
import io.scanstream.training.training.FullNetworkSettings;
import io.scanstream.service.config.ModelSettings;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * training-service configuration ({@code training.*}; every key also as an environment variable, e.g.
 * {@code TRAINING_HEAD_EPOCHS}). Defaults are the seed's method (30 epochs, validation 0.1, Adam, cyclic LR).
 */
@ConfigMapping(prefix = "training")
public interface TrainingConfig {

    Model model();

    Head head();

    LearningRate learningRate();

    Validation validation();

    Trigger trigger();

    Gate gate();

    Reports reports();

    Embeddings embeddings();

    Kafka kafka();

    FullNetwork fullNetwork();

    Topics topics();

    /** The backbone whose embeddings the head is trained on (the one inference serves), and the model name. */
    interface Model extends ModelSettings {
    }

    interface Head {
        /** Hidden layer widths (powers of two): d → 512 → 256 → 128 → 2 is the seed's head. */
        @WithDefault("512,256,128")
        List<Integer> hiddenWidths();

        @WithDefault("0.5")
        double dropout();

        @WithDefault("30")
        int epochs();

        @WithDefault("32")
        int batchSize();

        /** Initialisation, shuffling and dropout. */
        @WithDefault("7")
        long seed();

        /** Stop after this many epochs without a lower validation loss and keep the best epoch; 0 = off. */
        @WithDefault("0")
        int earlyStopPatience();

        /** L2 penalty on the head's weights (Adam adds {@code weightDecay × w} to each gradient); 0 = none. */
        @WithDefault("0")
        double weightDecay();
    }

    /** Smith's cyclical learning rate, through DJL's {@code CyclicalTracker}. */
    interface LearningRate {
        @WithDefault("TRIANGULAR")
        CyclicLearningRate.Mode mode();

        @WithDefault("0.0001")
        double base();

        @WithDefault("0.001")
        double max();

        /** Half a cycle, in epochs (converted to iterations with the batch count of the run). */
        @WithDefault("4")
        double stepSizeEpochs();

        /** EXP_RANGE only: the amplitude is multiplied by gamma^iteration. */
        @WithDefault("0.999")
        double gamma();
    }

    interface Validation {
        /** Share of the scans held out for validation, by patient and stratified by class. */
        @WithDefault("0.1")
        double fraction();

        /** Seed of the patient assignment: keep it fixed so that patients stay on their side across runs. */
        @WithDefault("2024")
        long seed();

        /** Fewer joined examples than this: the run ends as INSUFFICIENT_DATA. */
        @WithDefault("20")
        int minExamples();
    }

    interface Trigger {
        /** Start a run after this many new or changed labels joined the training set; 0 = off. */
        @WithDefault("50")
        int everyLabels();

        /** Scheduled runs (Quarkus scheduler syntax, e.g. {@code 6h}; {@code off} disables); skipped when nothing changed. */
        @WithDefault("1h")
        String interval();
    }

    interface Gate {
        /** false: every run that trains publishes. */
        @WithDefault("true")
        boolean enabled();

        @WithDefault("AUC")
        GateMetric metric();

        /** The challenger must beat the champion by more than this on the metric. */
        @WithDefault("0.0")
        double minImprovement();
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

    interface FullNetwork {
        /** PRETRAINED: start from training.model.backbone-weights; SCRATCH: seeded random initialisation. */
        @WithDefault("PRETRAINED")
        FullNetworkSettings.Initialisation initialisation();

        @WithDefault("5")
        int epochs();

        @WithDefault("16")
        int batchSize();

        @WithDefault("0.00001")
        double baseLearningRate();

        @WithDefault("0.0001")
        double maxLearningRate();

        @WithDefault("1")
        double stepSizeEpochs();

        /** Side the scans are resized to for training (224 = the backbones' native input). */
        @WithDefault("224")
        int imageSize();

        /** Flip, crop-and-resize and brightness/contrast jitter of the training images. */
        @WithDefault("true")
        boolean augment();

        /** Give up after this long (CPU training is slow); the epochs done so far count. */
        @WithDefault("2h")
        Duration timeBudget();
    }

    interface Topics {
        @WithDefault("scans.labels")
        String labels();

        @WithDefault("scans.embeddings")
        String embeddings();

        @WithDefault("scans.preprocessed")
        String preprocessed();

        @WithDefault("models.published")
        String models();
    }
}
