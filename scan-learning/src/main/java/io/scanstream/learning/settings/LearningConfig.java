package io.scanstream.learning.settings;

import io.scanstream.learning.evaluate.ThresholdRule;
import io.scanstream.learning.train.CyclicLearningRate;
import io.scanstream.learning.train.FullNetworkSettings;
import io.scanstream.learning.train.ImageAugmentation;
import io.scanstream.learning.validation.GateMetric;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;

/**
 * How models are learnt and judged ({@code training.head.*}, {@code training.learning-rate.*},
 * {@code training.full-network.*}, {@code training.validation.*}, {@code training.gate.*}), with the defaults:
 * their one home. The training service's configuration extends this interface; the offline evaluation maps the
 * same interface with plain SmallRye Config ({@link TrainerSettings#from}), so both train with the same settings.
 * {@link TrainerSettings} turns it into the trainers' settings.
 */
public interface LearningConfig {

    Head head();

    LearningRate learningRate();

    FullNetwork fullNetwork();

    Validation validation();

    Gate gate();

    interface Head {
        /** Hidden layer widths (powers of two): d → 512 → 256 → 128 → 2. */
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

    interface FullNetwork {
        /** PRETRAINED: start from the configured backbone weights; SCRATCH: seeded random initialisation. */
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

        /**
         * Discriminative rates: the backbone's last block learns at this times the schedule's rate, each block before
         * it at this times the next one's; the head at the schedule's. 1 = one rate for all. See docs/benchmarks.md
         * ("Discriminative learning rates").
         */
        @WithDefault("1")
        double layerRateDecay();

        /** Side the scans are resized to for training (224 = the backbones' native input). */
        @WithDefault("224")
        int imageSize();

        /** Flip, crop-and-resize and brightness/contrast jitter of the training images. */
        @WithDefault("true")
        boolean augment();

        /**
         * How strongly, when {@link #augment()}: MILD, or STRONG (adds a ±10° rotation and widens the crop and
         * jitter ranges; {@link ImageAugmentation.Strength}). MILD by default: see docs/benchmarks.md ("Stronger
         * augmentation").
         */
        @WithDefault("MILD")
        ImageAugmentation.Level augmentationStrength();

        /**
         * PRETRAINED: the backbone's first N blocks keep their pretrained weights; 0 = fine-tune every layer. Unset:
         * {@link FullNetworkSettings#defaultFrozenBlocks} (8 for MobileNetV2, else 0).
         */
        OptionalInt frozenBlocks();

        /** Give up after this long (CPU training is slow); the epochs done so far count. */
        @WithDefault("2h")
        Duration timeBudget();

        /**
         * Epochs without a lower loss on the stopping split before fine-tuning stops and keeps its best epoch; 0 = off
         * (train every epoch on every training image). Off by default: see docs/benchmarks.md ("Early stopping").
         */
        @WithDefault("0")
        int earlyStopPatience();

        /** With early stopping on: the share of the training side's groups held back as the stopping split. */
        @WithDefault("0.2")
        double earlyStopFraction();
    }

    /** How scans are held out, and how the figures on them are stated (GroupedSplitter, GroupBootstrap). */
    interface Validation {
        /**
         * Share of the groups (patients joined with origins) held out for validation, chosen by a keyed hash of the
         * group: stable as the set grows. 0.2 rather than 0.1: the gate's paired test needs rows to tell models apart.
         */
        @WithDefault("0.2")
        double fraction();

        /** Seed of the group assignment: keep it fixed so that groups stay on their side across runs. */
        @WithDefault("2024")
        long seed();

        /** Fewer examples than this: the run ends as INSUFFICIENT_DATA. */
        @WithDefault("20")
        int minExamples();

        /** Each side needs at least this many groups of each class, or the run ends as INSUFFICIENT_DATA. */
        @WithDefault("2")
        int minGroupsPerClass();

        /**
         * How the version's operating threshold is chosen on the validation rows. PREVALENCE beat YOUDEN's accuracy
         * in every fold of the source-grouped cross-validation on {@code train} (docs/training.md).
         */
        @WithDefault("PREVALENCE")
        ThresholdRule thresholdRule();

        /** Group bootstrap resamples of the confidence intervals. */
        @WithDefault("1000")
        int bootstrapResamples();

        /** Confidence level of the intervals. */
        @WithDefault("0.95")
        double intervalLevel();
    }

    /** ChampionChallengerGate: a paired test on the rows neither model was trained on. */
    interface Gate {
        /** false: every run that trains publishes. */
        @WithDefault("true")
        boolean enabled();

        @WithDefault("AUC")
        GateMetric metric();

        /** One-sided significance level of "the challenger is better" and of "the challenger is worse". */
        @WithDefault("0.05")
        double alpha();

        /** Paired group bootstrap resamples. */
        @WithDefault("1000")
        int resamples();
    }
}
