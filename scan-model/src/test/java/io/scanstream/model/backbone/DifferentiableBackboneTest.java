package io.scanstream.model.backbone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import io.scanstream.core.contract.ClinicalLabel;
import io.scanstream.core.imaging.GreyImage;
import io.scanstream.core.synthetic.SyntheticCtGenerator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Grad-CAM's pass up to the explained layer frees each block's intermediates once the block has run: the same
 * activation and features as DJL's own pass over the same weights, with a fraction of the arrays left behind.
 */
class DifferentiableBackboneTest {

    private static final long SEED = 42;

    @ParameterizedTest
    @EnumSource(FeatureReadout.class)
    void splitGivesDjlsActivationAndFeaturesAndLeavesOnlyThem(FeatureReadout readout) throws Exception {
        BackboneSpec spec = BackboneSpec.randomlyInitialised(BackboneArchitecture.MOBILENET_V2).withReadout(readout)
                .withEngine(BackboneEngine.PYTORCH);
        GreyImage scan = new SyntheticCtGenerator(3).render(0, ClinicalLabel.COVID, 224, 224);
        List<Backbones.StageOutput> stages = Backbones.stageOutputs(spec.architecture());
        int lastStage = stages.get(stages.size() - 1).child();
        try (DifferentiableBackbone backbone = FeatureExtractors.differentiable(spec, SEED);
             FeatureExtractor serving = FeatureExtractors.load(spec, SEED);
             NDManager djl = backbone.manager().newSubManager();
             NDManager freed = backbone.manager().newSubManager()) {
            // DJL's own pass over the serving block (the same seed, the same weights): every child's forward on one
            // manager, nothing freed until it closes
            NDArray input = InputTensors.normalisedBatch(djl, List.of(scan), 1);
            ParameterStore parameters = new ParameterStore(djl, false);
            List<Block> children = ((DjlFeatureExtractor) serving).block().getChildren().values();
            NDList activations = new NDList(input);
            for (int child = 0; child <= lastStage; child++) {
                activations = children.get(child).forward(parameters, activations, false);
            }
            float[] expected = activations.singletonOrThrow().toFloatArray();
            int djlArrays = djl.getManagedArrays().size();

            NDArray same = InputTensors.normalisedBatch(freed, List.of(scan), 1);
            int inputArrays = freed.getManagedArrays().size();
            DifferentiableBackbone.Split split = backbone.split(same);
            int leftBySplit = freed.getManagedArrays().size() - inputArrays;

            assertThat(split.activation().toFloatArray()).containsExactly(expected, within(1e-5f));
            // the activation, and for the multi-scale readout each earlier stage's pooled output (a mean over H, then
            // over W): nothing of the blocks' own
            int earlierTaps = (int) spec.readout().taps(spec.architecture()).stream()
                    .filter(tap -> tap.child() < lastStage).count();
            assertThat(leftBySplit).isEqualTo(1 + 2 * earlierTaps);
            // (the input took as many arrays on either manager)
            assertThat(djlArrays - inputArrays).isGreaterThan(10 * leftBySplit);
            float[] features = split.features().apply(split.activation()).toFloatArray();
            float[] served = serving.embed(List.of(scan), 1)[0];
            assertThat(features).containsExactly(served, within(1e-4f));
        }
    }
}
