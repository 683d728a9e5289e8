package io.scanstream.learning.settings;

import io.scanstream.learning.evaluate.GroupBootstrap;
import io.scanstream.learning.train.FullNetworkSettings;
import io.scanstream.learning.train.ImageAugmentation;
import io.scanstream.learning.train.HeadTrainingSettings;
import io.scanstream.learning.train.LearningRateSchedule;
import io.scanstream.learning.validation.ChampionChallengerGate;
import io.scanstream.learning.validation.GroupedSplitter;
import io.scanstream.model.backbone.BackboneArchitecture;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one mapping from {@link LearningConfig} to what the trainers, the splitter and the gate take: the service
 * and the offline evaluation both go through here.
 */
public final class TrainerSettings {

    /** Full-network training uses the configured cyclical mode without EXP_RANGE's decay. */
    private static final double NO_DECAY = 1.0;
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d|MS|S|M|H|D)?");

    private TrainerSettings() {
    }

    /** {@link LearningConfig} under {@code training.*}, for plain SmallRye Config (no Quarkus). */
    @ConfigMapping(prefix = "training")
    public interface Mapped extends LearningConfig {
    }

    /** Every setting at its default. */
    public static LearningConfig defaults() {
        return from(Map.of());
    }

    /**
     * The settings with some keys given (e.g. {@code training.head.epochs=40}), the rest at their defaults.
     *
     * @throws java.util.NoSuchElementException or {@link IllegalArgumentException} for a value that does not convert
     */
    public static LearningConfig from(Map<String, String> properties) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(properties, "learning settings", 100))
                .withConverter(Duration.class, 200, TrainerSettings::duration)
                .withMapping(Mapped.class)
                .withValidateUnknown(false)
                .build();
        return config.getConfigMapping(Mapped.class);
    }

    /**
     * Durations as the services write them ({@code 2h}, {@code 90s}, {@code 500ms}, a bare number of seconds), or
     * ISO-8601 ({@code PT2H}): plain SmallRye Config only knows the latter, Quarkus both.
     */
    static Duration duration(String value) {
        String v = value.strip();
        if (v.startsWith("P") || v.startsWith("p")) {
            return Duration.parse(v);
        }
        Matcher m = DURATION.matcher(v);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a duration: " + value + " (e.g. 2h, 90s, 500ms, PT2H)");
        }
        long amount = Long.parseLong(m.group(1));
        return switch (m.group(2) == null ? "s" : m.group(2).toLowerCase(java.util.Locale.ROOT)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
        };
    }

    public static HeadTrainingSettings head(LearningConfig config) {
        LearningConfig.Head h = config.head();
        LearningConfig.LearningRate lr = config.learningRate();
        return new HeadTrainingSettings(h.hiddenWidths(), h.dropout(), h.epochs(), h.batchSize(),
                new LearningRateSchedule(lr.mode(), lr.base(), lr.max(), lr.stepSizeEpochs(), lr.gamma()), h.seed(),
                h.earlyStopPatience(), h.weightDecay());
    }

    /** @param pretrainedWeights the weights PRETRAINED fine-tunes (the configured backbone's) */
    public static FullNetworkSettings fullNetwork(LearningConfig config, BackboneArchitecture architecture,
                                                  Optional<Path> pretrainedWeights) {
        LearningConfig.FullNetwork f = config.fullNetwork();
        LearningRateSchedule schedule = new LearningRateSchedule(config.learningRate().mode(), f.baseLearningRate(),
                f.maxLearningRate(), f.stepSizeEpochs(), NO_DECAY);
        return new FullNetworkSettings(architecture, f.initialisation(),
                f.initialisation() == FullNetworkSettings.Initialisation.PRETRAINED ? pretrainedWeights
                        : Optional.empty(),
                head(config), f.epochs(), f.batchSize(), schedule, f.layerRateDecay(), f.imageSize(),
                f.augment() ? f.augmentationStrength() : ImageAugmentation.Level.NONE,
                f.frozenBlocks().orElse(FullNetworkSettings.defaultFrozenBlocks(architecture, f.initialisation())),
                f.timeBudget(), new FullNetworkSettings.EarlyStop(f.earlyStopPatience(), f.earlyStopFraction()));
    }

    public static GroupedSplitter splitter(LearningConfig config) {
        return new GroupedSplitter(config.validation().fraction(), config.validation().seed());
    }

    public static ChampionChallengerGate gate(LearningConfig config) {
        return new ChampionChallengerGate(config.gate().enabled(), config.gate().metric(), config.gate().alpha(),
                config.gate().resamples(), config.validation().seed());
    }

    /** Confidence intervals as configured (seeded with the validation seed: the same rows, the same intervals). */
    public static GroupBootstrap intervals(LearningConfig config) {
        return new GroupBootstrap(config.validation().bootstrapResamples(), config.validation().intervalLevel(),
                config.validation().seed());
    }
}
