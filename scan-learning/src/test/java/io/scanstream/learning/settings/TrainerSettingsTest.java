package io.scanstream.learning.settings;

import io.scanstream.learning.evaluate.ThresholdRule;
import io.scanstream.learning.train.CyclicLearningRate;
import io.scanstream.learning.train.FullNetworkSettings;
import io.scanstream.learning.train.HeadTrainingSettings;
import io.scanstream.learning.train.ImageAugmentation;
import io.scanstream.learning.validation.GateMetric;
import io.scanstream.model.backbone.BackboneArchitecture;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TrainerSettingsTest {

    @Test
    void defaultsAreTheServicesMethod() {
        HeadTrainingSettings head = TrainerSettings.head(TrainerSettings.defaults());

        assertThat(head.hiddenWidths()).containsExactly(512, 256, 128);
        assertThat(head.dropout()).isEqualTo(0.5);
        assertThat(head.epochs()).isEqualTo(30);
        assertThat(head.batchSize()).isEqualTo(32);
        assertThat(head.seed()).isEqualTo(7);
        assertThat(head.learningRate().mode()).isEqualTo(CyclicLearningRate.Mode.TRIANGULAR);
        assertThat(head.learningRate().base()).isEqualTo(1e-4);
        assertThat(head.learningRate().max()).isEqualTo(1e-3);
        assertThat(head.learningRate().stepSizeEpochs()).isEqualTo(4);
        assertThat(head.earlyStopPatience()).isZero();
        assertThat(head.weightDecay()).isZero();
        assertThat(TrainerSettings.gate(TrainerSettings.defaults()).metric()).isEqualTo(GateMetric.AUC);
        assertThat(TrainerSettings.defaults().validation().thresholdRule()).isEqualTo(ThresholdRule.PREVALENCE);
        assertThat(TrainerSettings.from(Map.of("training.validation.threshold-rule", "YOUDEN")).validation()
                .thresholdRule()).isEqualTo(ThresholdRule.YOUDEN);
    }

    @Test
    void givenKeysOverrideTheirDefaultsOnly() {
        LearningConfig config = TrainerSettings.from(Map.of("training.head.epochs", "40",
                "training.head.hidden-widths", "64,32", "training.full-network.initialisation", "SCRATCH",
                "training.full-network.time-budget", "PT10M"));

        assertThat(TrainerSettings.head(config).epochs()).isEqualTo(40);
        assertThat(TrainerSettings.head(config).hiddenWidths()).containsExactly(64, 32);
        assertThat(TrainerSettings.head(config).dropout()).isEqualTo(0.5);
        FullNetworkSettings network = TrainerSettings.fullNetwork(config, BackboneArchitecture.MOBILENET_V2,
                Optional.of(Path.of("ignored-for-scratch.pt")));
        assertThat(network.initialisation()).isEqualTo(FullNetworkSettings.Initialisation.SCRATCH);
        assertThat(network.initialWeights()).isEmpty();
        assertThat(network.timeBudget()).isEqualTo(Duration.ofMinutes(10));
        assertThat(network.head().hiddenWidths()).isEqualTo(List.of(64, 32));
        assertThat(network.learningRate().base()).isEqualTo(1e-5);
    }

    @Test
    void mobileNetV2FineTunesAllButItsFirstEightBlocksUnlessTheConfigurationSaysOtherwise() {
        Optional<Path> weights = Optional.of(Path.of("imagenet.pt"));
        LearningConfig defaults = TrainerSettings.defaults();

        assertThat(TrainerSettings.fullNetwork(defaults, BackboneArchitecture.MOBILENET_V2, weights).frozenBlocks())
                .as("the measured default").isEqualTo(8);
        assertThat(TrainerSettings.fullNetwork(defaults, BackboneArchitecture.VGG16, weights).frozenBlocks())
                .as("not measured: every layer").isZero();
        assertThat(TrainerSettings.fullNetwork(defaults, BackboneArchitecture.RESNET34, weights).frozenBlocks())
                .isZero();
        assertThat(TrainerSettings.fullNetwork(TrainerSettings.from(Map.of("training.full-network.initialisation",
                "SCRATCH")), BackboneArchitecture.MOBILENET_V2, weights).frozenBlocks())
                .as("a random block has nothing worth keeping").isZero();
        assertThat(TrainerSettings.fullNetwork(TrainerSettings.from(Map.of("training.full-network.frozen-blocks",
                "0")), BackboneArchitecture.MOBILENET_V2, weights).frozenBlocks())
                .as("every layer, when asked").isZero();
    }

    @Test
    void fineTuningAugmentsMildlyAndStopsNoEarlierThanItsLastEpochUnlessConfiguredOtherwise() {
        Optional<Path> weights = Optional.of(Path.of("imagenet.pt"));
        FullNetworkSettings defaults = TrainerSettings.fullNetwork(TrainerSettings.defaults(),
                BackboneArchitecture.MOBILENET_V2, weights);
        assertThat(defaults.augmentation()).isEqualTo(ImageAugmentation.Level.MILD);
        assertThat(defaults.earlyStop()).isEqualTo(new FullNetworkSettings.EarlyStop(0, 0.2));
        assertThat(defaults.earlyStop().on()).isFalse();

        FullNetworkSettings configured = TrainerSettings.fullNetwork(TrainerSettings.from(Map.of(
                        "training.full-network.augmentation-strength", "STRONG",
                        "training.full-network.early-stop-patience", "3",
                        "training.full-network.early-stop-fraction", "0.25")),
                BackboneArchitecture.MOBILENET_V2, weights);
        assertThat(configured.augmentation()).isEqualTo(ImageAugmentation.Level.STRONG);
        assertThat(configured.earlyStop()).isEqualTo(new FullNetworkSettings.EarlyStop(3, 0.25));
        assertThat(TrainerSettings.fullNetwork(TrainerSettings.from(Map.of("training.full-network.augment", "false",
                        "training.full-network.augmentation-strength", "STRONG")), BackboneArchitecture.MOBILENET_V2,
                weights).augmentation()).as("augment=false wins").isEqualTo(ImageAugmentation.Level.NONE);
    }

    @Test
    void pretrainedFullNetworkTrainingNeedsWeights() {
        assertThatThrownBy(() -> TrainerSettings.fullNetwork(TrainerSettings.defaults(),
                BackboneArchitecture.MOBILENET_V2, Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("backbone-weights");
    }

    @Test
    void aValueThatDoesNotConvertIsRefused() {
        assertThatThrownBy(() -> TrainerSettings.from(Map.of("training.head.epochs", "many")))
                .hasMessageContaining("training.head.epochs");
    }
}
