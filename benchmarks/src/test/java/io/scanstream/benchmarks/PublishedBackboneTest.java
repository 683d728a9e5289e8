package io.scanstream.benchmarks;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import io.scanstream.core.artifact.BackboneChunks;
import io.scanstream.core.artifact.BackboneManifest;
import io.scanstream.core.imaging.GreyImage;
import io.scanstream.core.integrity.Sha256;
import io.scanstream.model.BlockParameters;
import io.scanstream.model.backbone.BackboneArchitecture;
import io.scanstream.model.backbone.BackboneEngine;
import io.scanstream.model.backbone.BackboneSpec;
import io.scanstream.model.backbone.Backbones;
import io.scanstream.model.backbone.FeatureExtractor;
import io.scanstream.model.backbone.FeatureExtractors;
import io.scanstream.model.backbone.FeatureReadout;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the load generator publishes is what inference will load: the manifest describes the bytes, and the
 * weights plus the manifest's quantisation load as a backbone with the manifest's id and the head's input length.
 */
class PublishedBackboneTest {

    private static final BackboneArchitecture MOBILENET = BackboneArchitecture.MOBILENET_V2;

    @TempDir
    static Path dir;
    private static Path weights;
    private static List<GreyImage> phantoms;

    @BeforeAll
    static void randomWeightsAndPhantoms() throws Exception {
        weights = dir.resolve("random.params");
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            Block block = Backbones.build(MOBILENET);
            block.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 224, 224));
            Files.write(weights, BlockParameters.toBytes(block));
        }
        System.setProperty(BenchmarkImages.DATA_DIR_PROPERTY, dir.resolve("no-data").toString());
        phantoms = BenchmarkImages.preprocessed("synthetic");
    }

    @Test
    void anInt8BackboneIsPublishedWithRangesUnderTheIdAManifestReaderComputes() throws Exception {
        PublishedBackbone published = PublishedBackbone.of(MOBILENET, weights, FeatureReadout.MULTI_SCALE, true,
                phantoms, dir.resolve("int8"));
        BackboneManifest manifest = published.manifest();

        assertThat(published.parameters()).isEqualTo(Files.readAllBytes(weights));
        assertThat(manifest.sha256()).isEqualTo(Sha256.hex(published.parameters()));
        assertThat(manifest.sizeBytes()).isEqualTo(published.parameters().length);
        assertThat(BackboneChunks.split(published.parameters(), manifest.chunkBytes())).hasSize(manifest.chunks());
        assertThat(manifest.format()).isEqualTo(BackboneManifest.DJL_PARAMETERS);
        assertThat(manifest.readout()).isEqualTo("multi-scale");
        assertThat(manifest.servedQuantised()).isPresent();
        assertThat(manifest.backboneId()).isEqualTo(FeatureExtractors.backboneId(MOBILENET,
                FeatureReadout.MULTI_SCALE, published.parameters()) + "-int8-"
                + manifest.quantization().fingerprint());

        BackboneSpec asRead = new BackboneSpec(MOBILENET, Optional.of(weights), FeatureReadout.MULTI_SCALE,
                BackboneEngine.ONNX_RUNTIME).withQuantization(manifest.servedQuantised());
        try (FeatureExtractor served = FeatureExtractors.load(asRead, 0)) {
            assertThat(served.backboneId()).isEqualTo(manifest.backboneId());
            assertThat(served.featureDim()).isEqualTo(published.featureDim())
                    .isEqualTo(FeatureReadout.MULTI_SCALE.featureDim(MOBILENET));
            assertThat(served.embed(phantoms.subList(0, 2), 2)[0]).hasSize(published.featureDim());
        }
    }

    @Test
    void aFloat32BackboneIsPublishedWithoutRangesUnderItsWeightsId() throws Exception {
        PublishedBackbone published = PublishedBackbone.of(MOBILENET, weights, FeatureReadout.FINAL, false,
                phantoms, dir.resolve("float"));

        assertThat(published.manifest().servedQuantised()).isEmpty();
        assertThat(published.manifest().backboneId()).isEqualTo(FeatureExtractors.backboneId(
                new BackboneSpec(MOBILENET, Optional.of(weights), FeatureReadout.FINAL)));
        assertThat(published.featureDim()).isEqualTo(MOBILENET.featureDim());
    }
}
