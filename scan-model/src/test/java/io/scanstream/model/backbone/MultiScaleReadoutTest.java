package io.scanstream.model.backbone;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import io.scanstream.core.imaging.GreyImage;
import io.scanstream.core.integrity.Sha256;
import io.scanstream.core.synthetic.SyntheticCtGenerator;
import io.scanstream.model.DjlEnvironment;
import io.scanstream.model.Fixtures;
import io.scanstream.model.SeededInitializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.DataOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

/** The multi-scale readout: stage outputs pooled and concatenated, the final features being the last part. */
class MultiScaleReadoutTest {

    @BeforeAll
    static void offline() {
        DjlEnvironment.configure();
    }

    @Test
    void readsEveryStageFromAnEighthOfTheResolutionOn() {
        // torchvision's stage widths at strides 8, 16, 16, 32, 32 (+ the 1x1 convolution to 1280) for MobileNetV2;
        // pool3..pool5 for VGG; layer2..layer4 for ResNet-34
        assertThat(channels(BackboneArchitecture.MOBILENET_V2)).containsExactly(32, 64, 96, 160, 320, 1280);
        assertThat(channels(BackboneArchitecture.VGG16)).containsExactly(256, 512, 512);
        assertThat(channels(BackboneArchitecture.VGG19)).containsExactly(256, 512, 512);
        assertThat(channels(BackboneArchitecture.RESNET34)).containsExactly(128, 256, 512);
        assertThat(FeatureReadout.MULTI_SCALE.featureDim(BackboneArchitecture.MOBILENET_V2)).isEqualTo(1952);
        assertThat(FeatureReadout.FINAL.featureDim(BackboneArchitecture.MOBILENET_V2)).isEqualTo(1280);
        assertThat(FeatureReadout.fromId("multi-scale")).isEqualTo(FeatureReadout.MULTI_SCALE);
        assertThat(FeatureReadout.fromId("FINAL")).isEqualTo(FeatureReadout.FINAL);
        assertThatThrownBy(() -> FeatureReadout.fromId("pyramid")).hasMessageContaining("final, multi-scale");
    }

    /** The tapped children are where the builder puts each stage's last block: their outputs have those widths. */
    @ParameterizedTest
    @EnumSource(BackboneArchitecture.class)
    void tappedChildrenOutputTheStageWidthsAndTheFinalFeaturesComeLast(BackboneArchitecture architecture)
            throws Exception {
        List<GreyImage> images = List.of(Fixtures.noise(64, 1), Fixtures.noise(64, 2));
        BackboneSpec finalSpec = BackboneSpec.randomlyInitialised(architecture);
        try (FeatureExtractor whole = FeatureExtractors.load(finalSpec, 3);
             FeatureExtractor stages = FeatureExtractors.load(finalSpec.withReadout(FeatureReadout.MULTI_SCALE), 3)) {
            float[][] last = whole.embed(images, 2);
            float[][] all = stages.embed(images, 2);

            int dim = FeatureReadout.MULTI_SCALE.featureDim(architecture);
            assertThat(stages.featureDim()).isEqualTo(dim);
            assertThat(stages.backboneId()).isEqualTo(architecture.id() + "+ms:random");
            for (int i = 0; i < images.size(); i++) {
                assertThat(all[i]).hasSize(dim);
                float[] tail = Arrays.copyOfRange(all[i], dim - architecture.featureDim(), dim);
                for (int j = 0; j < tail.length; j++) {
                    assertThat(tail[j]).isCloseTo(last[i][j], offset(1e-5f * Math.max(1f, Math.abs(last[i][j]))));
                }
                // the earlier stages are not padding: some of them differ between the two images
                float[] head = Arrays.copyOfRange(all[i], 0, dim - architecture.featureDim());
                assertThat(head).isNotEqualTo(new float[head.length]);
            }
        }
    }

    @Test
    void djlParametersLoadUnderTheMultiScaleReadoutWithTheirOwnId(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("mobilenet_v2-finetuned.params");
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            Block block = Backbones.build(BackboneArchitecture.MOBILENET_V2);
            block.setInitializer(new SeededInitializer(9), Parameter.Type.WEIGHT);
            block.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 224, 224));
            try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(file))) {
                block.saveParameters(out);
            }
        }
        BackboneSpec spec = new BackboneSpec(BackboneArchitecture.MOBILENET_V2, Optional.of(file),
                FeatureReadout.MULTI_SCALE);

        try (FeatureExtractor extractor = FeatureExtractors.load(spec, 0)) {
            assertThat(extractor.backboneId()).isEqualTo("mobilenet_v2+ms:" + Sha256.hex(file).substring(0, 12))
                    .isEqualTo(FeatureExtractors.backboneId(spec));
            assertThat(extractor.embed(List.of(Fixtures.noise(32, 5)), 1)[0]).hasSize(1952);
        }
    }

    @Test
    void aFileThatIsNotTorchScriptIsRefusedWithTheReason(@TempDir Path dir) throws Exception {
        Path file = Files.write(dir.resolve("backbone.pt"), "not a model".getBytes());
        BackboneSpec spec = new BackboneSpec(BackboneArchitecture.MOBILENET_V2, Optional.of(file),
                FeatureReadout.MULTI_SCALE);

        assertThatThrownBy(() -> FeatureExtractors.load(spec, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("backbone.pt");
    }

    /** With the ImageNet export beside the checkout: imported into the Java block, read at every stage. */
    @Test
    void theImageNetExportIsReadAtEveryStage() throws Exception {
        Optional<Path> weights = Fixtures.sharedModel("mobilenet_v2_imagenet_backbone.pt");
        org.junit.jupiter.api.Assumptions.assumeTrue(weights.isPresent(), () -> "mobilenet_v2_imagenet_backbone.pt"
                + " not found under scanstream.shared.models=" + System.getProperty("scanstream.shared.models")
                + "; skipping the ImageNet multi-scale check");
        SyntheticCtGenerator generator = new SyntheticCtGenerator(Fixtures.SEED);
        List<GreyImage> scans = LongStream.range(0, 2)
                .mapToObj(i -> generator.render(i, generator.labelOf(i), 224, 224)).toList();
        BackboneSpec spec = BackboneSpec.of(BackboneArchitecture.MOBILENET_V2, weights.get());
        try (FeatureExtractor exported = FeatureExtractors.load(spec, 0);
             FeatureExtractor stages = FeatureExtractors.load(spec.withReadout(FeatureReadout.MULTI_SCALE), 0)) {
            float[][] last = exported.embed(scans, 2);
            float[][] all = stages.embed(scans, 2);

            assertThat(stages.backboneId()).isEqualTo(exported.backboneId().replace("mobilenet_v2:",
                    "mobilenet_v2+ms:"));
            for (int i = 0; i < scans.size(); i++) {
                for (int j = 0; j < 1280; j++) {
                    assertThat(all[i][672 + j]).isCloseTo(last[i][j], offset(1e-4f * Math.max(1f, Math.abs(last[i][j]))));
                }
            }
        }
    }

    private static List<Integer> channels(BackboneArchitecture architecture) {
        return Backbones.stageOutputs(architecture).stream().map(Backbones.StageOutput::channels).toList();
    }
}
