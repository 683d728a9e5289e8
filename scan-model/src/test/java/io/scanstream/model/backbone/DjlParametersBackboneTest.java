package io.scanstream.model.backbone;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import io.scanstream.core.imaging.GreyImage;
import io.scanstream.model.DjlEnvironment;
import io.scanstream.model.Fixtures;
import io.scanstream.model.SeededInitializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The DJL-parameters path: a Java-built backbone saved (as training's full-network mode would) and loaded back. */
class DjlParametersBackboneTest {

    private static final List<GreyImage> IMAGES = List.of(Fixtures.noise(32, 31), Fixtures.noise(32, 32));

    @BeforeAll
    static void offline() {
        DjlEnvironment.configure();
    }

    @Test
    void parametersSavedByModelSaveLoadBackGivingIdenticalFeatures(@TempDir Path dir) throws Exception {
        Path file;
        float[][] expected;
        String weightsHash;
        try (Model model = Model.newInstance("mobilenet_v2", "PyTorch")) {
            model.setBlock(initialisedBackbone(BackboneArchitecture.MOBILENET_V2, model.getNDManager()));
            expected = features(model.getBlock(), model.getNDManager());
            weightsHash = io.scanstream.core.integrity.Sha256.hex(
                    io.scanstream.model.BlockParameters.toBytes(model.getBlock())).substring(0, 12);
            model.save(dir, "mobilenet_v2");
            file = dir.resolve("mobilenet_v2-0000.params");
        }

        try (FeatureExtractor extractor =
                     FeatureExtractors.load(BackboneSpec.of(BackboneArchitecture.MOBILENET_V2, file), 0)) {
            assertThat(extractor.embed(IMAGES, 2)).isEqualTo(expected);
            // the id names the weights (the block's parameters), not the file with Model.save's header
            assertThat(extractor.backboneId()).isEqualTo("mobilenet_v2:" + weightsHash)
                    .isNotEqualTo("mobilenet_v2:" + io.scanstream.core.integrity.Sha256.hex(file).substring(0, 12));
            assertThat(extractor.pretrained()).isTrue();
        }
    }

    @Test
    void bareBlockParametersLoadBackGivingIdenticalFeatures(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("resnet34-finetuned.params");
        float[][] expected;
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            Block block = initialisedBackbone(BackboneArchitecture.RESNET34, manager);
            expected = features(block, manager);
            try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(file))) {
                block.saveParameters(out);
            }
        }

        try (FeatureExtractor extractor =
                     FeatureExtractors.load(BackboneSpec.of(BackboneArchitecture.RESNET34, file), 0)) {
            assertThat(extractor.embed(IMAGES, 2)).isEqualTo(expected);
        }
    }

    @Test
    void refusesParametersOfAnotherArchitecture(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("vgg19.params");
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            Block block = initialisedBackbone(BackboneArchitecture.VGG19, manager);
            try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(file))) {
                block.saveParameters(out);
            }
        }

        assertThatThrownBy(() -> FeatureExtractors.load(BackboneSpec.of(BackboneArchitecture.VGG16, file), 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("vgg16");
    }

    private static Block initialisedBackbone(BackboneArchitecture architecture, NDManager manager) {
        Block block = Backbones.build(architecture);
        block.setInitializer(new SeededInitializer(Fixtures.SEED), Parameter.Type.WEIGHT);
        block.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 224, 224));
        return block;
    }

    private static float[][] features(Block block, NDManager manager) {
        try (NDManager batch = manager.newSubManager()) {
            NDArray input = InputTensors.normalisedBatch(batch, IMAGES, 2);
            NDArray output = block.forward(new ParameterStore(batch, false), new NDList(input), false)
                    .singletonOrThrow();
            float[] flat = output.toFloatArray();
            int dim = (int) output.getShape().get(1);
            float[][] rows = new float[2][dim];
            for (int i = 0; i < 2; i++) {
                System.arraycopy(flat, i * dim, rows[i], 0, dim);
            }
            return rows;
        }
    }
}
