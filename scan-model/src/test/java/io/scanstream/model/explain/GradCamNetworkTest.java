package io.scanstream.model.explain;

import io.scanstream.core.artifact.HeadArchitecture;
import io.scanstream.core.contract.ClinicalLabel;
import io.scanstream.core.imaging.GreyImage;
import io.scanstream.core.synthetic.SyntheticCtGenerator;
import io.scanstream.model.backbone.BackboneArchitecture;
import io.scanstream.model.backbone.BackboneEngine;
import io.scanstream.model.backbone.BackboneSpec;
import io.scanstream.model.backbone.FeatureExtractor;
import io.scanstream.model.backbone.FeatureExtractors;
import io.scanstream.model.backbone.FeatureReadout;
import io.scanstream.model.head.ClassificationHead;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * A served network rebuilt for Grad-CAM: the last convolutional stage's grid, the same id, and the probability the
 * serving path gives for the same image (the explanation is of the decision that was published).
 */
class GradCamNetworkTest {

    private static final long SEED = 42;

    @ParameterizedTest
    @EnumSource(FeatureReadout.class)
    void explainsMobileNetV2AtItsLastStageWithTheServingProbability(FeatureReadout readout) throws Exception {
        BackboneSpec spec = BackboneSpec.randomlyInitialised(BackboneArchitecture.MOBILENET_V2).withReadout(readout)
                .withEngine(BackboneEngine.PYTORCH);
        HeadArchitecture architecture = new HeadArchitecture(spec.featureDim(), List.of(16), 0.0, 2);
        SyntheticCtGenerator generator = new SyntheticCtGenerator(3);
        GreyImage scan = generator.render(0, ClinicalLabel.COVID, 224, 224);
        try (ClassificationHead head = ClassificationHead.randomlyInitialised(architecture, 5);
             FeatureExtractor serving = FeatureExtractors.load(spec, SEED);
             GradCamNetwork network = GradCamNetwork.load(spec, SEED, architecture, head.weightsBytes())) {
            Saliency saliency = network.explain(scan);

            assertThat(network.backboneId()).isEqualTo(serving.backboneId());
            assertThat(network.layer()).isEqualTo("features.18");
            assertThat(saliency.gridWidth()).isEqualTo(7);
            assertThat(saliency.gridHeight()).isEqualTo(7);
            float max = 0;
            for (float v : saliency.cam()) {
                assertThat(v).isBetween(0f, 1f);
                max = Math.max(max, v);
            }
            assertThat(max).isIn(0f, 1f);
            double served = head.probabilities(serving.embed(List.of(scan), 1))[0];
            assertThat(saliency.probability()).isCloseTo(served, within(1e-4));
            // deterministic: the same scan, the same map
            assertThat(network.explain(scan).cam()).containsExactly(saliency.cam(), within(1e-5f));
        }
    }

    @Test
    void namesTheLastStageInTorchvisionsTermsForEveryArchitecture() throws Exception {
        // VGG's last stage ends in its fifth max pooling; ResNet's is layer4
        assertThat(layerOf(BackboneArchitecture.RESNET34)).isEqualTo("layer4");
        assertThat(layerOf(BackboneArchitecture.VGG16)).isEqualTo("features.30");
    }

    @Test
    void refusesAHeadOfAnotherWidth() {
        BackboneSpec spec = BackboneSpec.randomlyInitialised(BackboneArchitecture.MOBILENET_V2);
        HeadArchitecture wrong = new HeadArchitecture(100, List.of(), 0.0, 2);
        assertThatThrownBy(() -> GradCamNetwork.load(spec, SEED, wrong, new byte[0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gives 1280");
    }

    private static String layerOf(BackboneArchitecture architecture) throws Exception {
        try (var backbone = FeatureExtractors.differentiable(BackboneSpec.randomlyInitialised(architecture), SEED)) {
            return backbone.layer();
        }
    }
}
