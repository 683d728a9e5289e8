package io.scanstream.model.backbone;

import ai.djl.Model;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import io.scanstream.core.integrity.Sha256;
import io.scanstream.model.BlockParameters;
import io.scanstream.model.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The backbone id names the weights, not the file: the sha256 of the weights as the Java-built block holds them
 * ({@code BlockParameters.toBytes}, saved for one 224x224 image), whatever the file's format and whatever shape the
 * block last ran at.
 */
class BackboneIdentityRuleTest {

    private static final BackboneArchitecture MOBILENET = BackboneArchitecture.MOBILENET_V2;

    @TempDir
    Path dir;

    @Test
    void aParametersFileAndItsOnnxExportShareOneIdAndOtherWeightsGetAnother() throws Exception {
        Path params = TestWeights.params(MOBILENET, 1, dir.resolve("a.params"));
        Path onnx = TestWeights.onnx(MOBILENET, 1, false, dir.resolve("a.onnx"));
        Path other = TestWeights.params(MOBILENET, 2, dir.resolve("b.params"));

        String id = FeatureExtractors.backboneId(BackboneSpec.of(MOBILENET, params));
        assertThat(id).matches("mobilenet_v2:[0-9a-f]{12}");
        assertThat(FeatureExtractors.backboneId(BackboneSpec.of(MOBILENET, onnx))).isEqualTo(id);
        assertThat(FeatureExtractors.backboneId(BackboneSpec.of(MOBILENET, other))).isNotEqualTo(id);
        assertThat(FeatureExtractors.backboneId(new BackboneSpec(MOBILENET, Optional.of(onnx),
                FeatureReadout.MULTI_SCALE))).isEqualTo(id.replace("mobilenet_v2:", "mobilenet_v2+ms:"));
        // a bare Block.saveParameters file of a backbone block is its own canonical form
        assertThat(id).isEqualTo("mobilenet_v2:" + Sha256.hex(params).substring(0, 12));
    }

    @Test
    void anOnnxFilesWeightsAsDjlParametersAreTheBytesAFineTuningRunWouldPublishForThem() throws Exception {
        Path params = TestWeights.params(MOBILENET, 6, dir.resolve("a.params"));
        Path onnx = TestWeights.onnx(MOBILENET, 6, false, dir.resolve("a.onnx"));

        byte[] published = BackboneWeights.asDjlParameters(MOBILENET, onnx);

        assertThat(published).isEqualTo(Files.readAllBytes(params));
        assertThat(FeatureExtractors.backboneId(MOBILENET, FeatureReadout.MULTI_SCALE, published))
                .isEqualTo(FeatureExtractors.backboneId(new BackboneSpec(MOBILENET, Optional.of(onnx),
                        FeatureReadout.MULTI_SCALE)));
    }

    @Test
    void theSameWeightsSavedAfterRunningAtAnotherShapeKeepTheirId() throws Exception {
        Path canonical = TestWeights.params(MOBILENET, 3, dir.resolve("canonical.params"));
        Path trained = dir.resolve("trained.params");
        byte[] trainedBytes;
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            // what full-network training saves: a block initialised for its batch and image size
            Block block = TestWeights.block(MOBILENET, 3, manager, new Shape(16, 3, 128, 128));
            trainedBytes = BlockParameters.toBytes(block);
            TestWeights.write(block, trained);
        }

        assertThat(trainedBytes).isEqualTo(Files.readAllBytes(canonical));
        assertThat(FeatureExtractors.backboneId(MOBILENET, FeatureReadout.FINAL, trainedBytes))
                .isEqualTo(FeatureExtractors.backboneId(BackboneSpec.of(MOBILENET, trained)))
                .isEqualTo(FeatureExtractors.backboneId(BackboneSpec.of(MOBILENET, canonical)));
    }

    @Test
    void parametersSavedByModelSaveHaveTheIdOfTheirBareParameters(@TempDir Path modelDir) throws Exception {
        Path bare = TestWeights.params(BackboneArchitecture.RESNET34, 4, dir.resolve("bare.params"));
        Path saved;
        try (Model model = Model.newInstance("resnet34", "PyTorch")) {
            model.setBlock(TestWeights.block(BackboneArchitecture.RESNET34, 4, model.getNDManager(),
                    BackboneBlock.CANONICAL_INPUT));
            model.save(modelDir, "resnet34");
            saved = modelDir.resolve("resnet34-0000.params");
        }

        assertThat(Sha256.hex(saved)).isNotEqualTo(Sha256.hex(bare));
        assertThat(FeatureExtractors.backboneId(BackboneSpec.of(BackboneArchitecture.RESNET34, saved)))
                .isEqualTo(FeatureExtractors.backboneId(BackboneSpec.of(BackboneArchitecture.RESNET34, bare)));
    }

    /**
     * A file whose weights do not map onto the architecture's block (here a tiny TorchScript module declared as
     * ResNet-34; in practice a TorchScript export with unfolded batch norm) is named by its own hash, as before.
     */
    @Test
    void aFileWhoseWeightsDoNotMapOntoTheBlockIsNamedByItsOwnHash(@TempDir Path other) throws Exception {
        Path module = Fixtures.path("tiny_backbone_512.pt");
        Path garbage = Files.write(other.resolve("broken.params"), new byte[] {1, 2, 3, 4});

        assertThat(FeatureExtractors.backboneId(BackboneSpec.of(BackboneArchitecture.RESNET34, module)))
                .isEqualTo("resnet34:" + Sha256.hex(module).substring(0, 12));
        assertThat(FeatureExtractors.backboneId(BackboneSpec.of(BackboneArchitecture.RESNET34, garbage)))
                .isEqualTo("resnet34:" + Sha256.hex(garbage).substring(0, 12));
        assertThat(FeatureExtractors.backboneId(BackboneArchitecture.RESNET34, FeatureReadout.FINAL,
                new byte[] {1, 2, 3, 4})).isEqualTo("resnet34:" + Sha256.hex(garbage).substring(0, 12));
    }

    @Test
    void theImageNetTorchScriptAndOnnxFilesHaveOneId() throws Exception {
        Optional<Path> pt = Fixtures.sharedModel("mobilenet_v2_imagenet_backbone.pt");
        Optional<Path> onnx = Fixtures.sharedModel("mobilenet_v2_imagenet_backbone.onnx");
        assumeTrue(pt.isPresent() && onnx.isPresent(), () -> "mobilenet_v2_imagenet_backbone.pt/.onnx not found under"
                + " scanstream.shared.models=" + System.getProperty("scanstream.shared.models")
                + "; skipping the ImageNet identity check");

        String id = FeatureExtractors.backboneId(BackboneSpec.of(MOBILENET, pt.get()));
        assertThat(FeatureExtractors.backboneId(BackboneSpec.of(MOBILENET, onnx.get()))).isEqualTo(id);
        assertThat(id).isNotEqualTo("mobilenet_v2:" + Sha256.hex(pt.get()).substring(0, 12))
                .isNotEqualTo("mobilenet_v2:" + Sha256.hex(onnx.get()).substring(0, 12));
    }
}
