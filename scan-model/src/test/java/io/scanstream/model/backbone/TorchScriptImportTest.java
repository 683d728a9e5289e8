package io.scanstream.model.backbone;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import io.scanstream.core.imaging.GreyImage;
import io.scanstream.core.synthetic.SyntheticCtGenerator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Fine-tuning starts from the ImageNet MobileNetV2 TorchScript export copied into the trainable Java block. The
 * weights live outside the repository (system property {@code scanstream.shared.models}); without them this test
 * is skipped, saying why.
 */
class TorchScriptImportTest {

    private static final String FILE = "mobilenet_v2_imagenet_backbone.pt";
    private Path weights;

    @BeforeEach
    void locateWeights() {
        String folder = System.getProperty("scanstream.shared.models");
        Path candidate = folder == null ? null : Path.of(folder, FILE);
        assumeTrue(candidate != null && Files.isRegularFile(candidate), () -> FILE + " not found under"
                + " scanstream.shared.models=" + folder + "; skipping the TorchScript import check");
        weights = candidate;
    }

    @Test
    void theImportedBlockComputesTheSameFeaturesAsTheTorchScriptExport() throws Exception {
        SyntheticCtGenerator generator = new SyntheticCtGenerator(5);
        List<GreyImage> scans = LongStream.range(0, 2)
                .mapToObj(i -> generator.render(i, generator.labelOf(i), 224, 224)).toList();
        Block block = Backbones.build(BackboneArchitecture.MOBILENET_V2);
        try (NDManager manager = NDManager.newBaseManager("PyTorch");
             FeatureExtractor reference = FeatureExtractors.load(
                     BackboneSpec.of(BackboneArchitecture.MOBILENET_V2, weights), 0)) {
            block.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 224, 224));
            TorchScriptImport.copyInto(block, BackboneArchitecture.MOBILENET_V2, weights, manager);

            float[] imported = block.forward(new ParameterStore(manager, false),
                    new NDList(InputTensors.normalisedBatch(manager, scans, 2)), false).singletonOrThrow().toFloatArray();
            float[][] expected = reference.embed(scans, 2);

            for (int i = 0; i < 2; i++) {
                for (int j = 0; j < 1280; j++) {
                    assertThat(imported[i * 1280 + j]).isCloseTo(expected[i][j],
                            org.assertj.core.data.Offset.offset(1e-4f * Math.max(1f, Math.abs(expected[i][j]))));
                }
            }
        }
    }
}
