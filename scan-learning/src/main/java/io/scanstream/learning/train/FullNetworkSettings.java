package io.scanstream.learning.train;

import io.scanstream.model.backbone.BackboneArchitecture;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How full-network training runs: backbone and head trained together on labelled preprocessed scans.
 *
 * <p>PRETRAINED fine-tunes all layers from weights (a TorchScript export such as the ImageNet MobileNetV2, or DJL
 * parameters a previous full-network run wrote), after first training the head on the frozen features (linear
 * probing, then fine-tuning), with batch-norm statistics frozen: exports with folded batch norm
 * have no statistics to re-estimate, and small CPU batches estimate them badly anyway. SCRATCH starts from a
 * seeded He initialisation and trains batch norm with batch statistics; augmentation matters most there.
 *
 * @param architecture   the backbone
 * @param initialisation PRETRAINED (needs {@code initialWeights}) or SCRATCH
 * @param initialWeights the weights to fine-tune
 * @param head           the head's shape and seed, and how the linear probe before fine-tuning trains it
 * @param epochs         passes over the training images
 * @param batchSize      images per optimiser step
 * @param learningRate   the cyclical schedule of the joint training
 * @param layerRateDecay discriminative rates: the head at the schedule's rate, the backbone's last block at this
 *                       times it, the one before at its square, and so on ({@link LayerwiseRates}); 1 = one rate
 * @param imageSize      side the scans are resized to (224 is the backbones' native input; smaller is faster)
 * @param augmentation   how strongly the training images are augmented (NONE, MILD: flip, crop-and-resize,
 *                       brightness/contrast jitter; STRONG: also a small rotation, wider ranges)
 * @param frozenBlocks   PRETRAINED only: the backbone's first this many blocks (stem, then inverted residuals or
 *                       residual stages, in order) keep their pretrained weights; 0 = every layer is fine-tuned.
 *                       Cheaper (no backward pass through them) and a candidate against over-fitting small sets
 * @param timeBudget     no new epoch starts after this much wall time
 * @param earlyStop      whether some training images are held back to choose the epoch ({@link EarlyStop#OFF}: not)
 */
public record FullNetworkSettings(BackboneArchitecture architecture, Initialisation initialisation,
                                  Optional<Path> initialWeights, HeadTrainingSettings head, int epochs, int batchSize,
                                  LearningRateSchedule learningRate, double layerRateDecay, int imageSize,
                                  ImageAugmentation.Level augmentation,
                                  int frozenBlocks, Duration timeBudget, EarlyStop earlyStop) {

    /**
     * Early stopping on a stopping split carved out of the training images, grouped by patient and origin as
     * validation is (a stopping set that shared a source with the training side would reward memorising it): the
     * network trains on the rest, and after {@code patience} epochs without a lower loss on the stopping split it
     * stops and keeps its best epoch. The run's own validation rows are never used to choose (they judge the
     * version and set its threshold).
     *
     * @param patience epochs without a lower stopping loss before stopping; 0 = off (every epoch, all images)
     * @param fraction share of the training groups held back for stopping
     */
    public record EarlyStop(int patience, double fraction) {

        public static final EarlyStop OFF = new EarlyStop(0, 0);

        public EarlyStop {
            if (patience < 0 || !(fraction >= 0 && fraction < 1) || (patience > 0 && fraction == 0)) {
                throw new IllegalArgumentException("early stopping needs patience >= 0 and a fraction in (0, 1) when"
                        + " on; got patience " + patience + ", fraction " + fraction);
            }
        }

        public boolean on() {
            return patience > 0;
        }
    }

    private static final int MOBILENET_V2_FROZEN_BLOCKS = 8;

    public enum Initialisation { PRETRAINED, SCRATCH }

    /**
     * The blocks kept frozen when the configuration names none. MobileNetV2 from pretrained weights: the stem and the
     * first 7 inverted residuals (8), which tied fine-tuning every layer in source-grouped cross-validation on the
     * COVID-CT train split at under half the cost (docs/benchmarks.md, "Partial fine-tuning"). The other
     * architectures were not measured: every layer. From scratch there is nothing worth keeping: 0.
     */
    public static int defaultFrozenBlocks(BackboneArchitecture architecture, Initialisation initialisation) {
        return initialisation == Initialisation.PRETRAINED && architecture == BackboneArchitecture.MOBILENET_V2
                ? MOBILENET_V2_FROZEN_BLOCKS : 0;
    }

    public FullNetworkSettings {
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(initialisation, "initialisation");
        Objects.requireNonNull(head, "head");
        Objects.requireNonNull(augmentation, "augmentation");
        Objects.requireNonNull(earlyStop, "earlyStop");
        if (initialisation == Initialisation.PRETRAINED && initialWeights.isEmpty()) {
            throw new IllegalArgumentException("PRETRAINED full-network training needs backbone weights"
                    + " (training.model.backbone-weights); use SCRATCH without them");
        }
        LayerwiseRates.requireValidDecay(layerRateDecay);
        if (epochs < 1 || batchSize < 1 || imageSize < 32) {
            throw new IllegalArgumentException("epochs and batch size must be >= 1, image size >= 32");
        }
        if (frozenBlocks < 0 || (frozenBlocks > 0 && initialisation != Initialisation.PRETRAINED)) {
            throw new IllegalArgumentException("frozen blocks must be >= 0, and 0 unless PRETRAINED (a random block"
                    + " has nothing worth keeping); got " + frozenBlocks);
        }
    }

    /** Initialisation, shuffling, augmentation and dropout: the head's seed. */
    public long seed() {
        return head.seed();
    }

    /** Batch statistics in training (SCRATCH) or the loaded statistics kept (PRETRAINED). */
    public boolean trainsBatchNormStatistics() {
        return initialisation == Initialisation.SCRATCH;
    }
}
