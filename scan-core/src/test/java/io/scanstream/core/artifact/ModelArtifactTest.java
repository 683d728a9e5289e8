package io.scanstream.core.artifact;

import io.scanstream.core.contract.Topics;
import io.scanstream.core.integrity.Sha256;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.OffsetDateTime;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelArtifactTest {

    private static ModelMetadata metadata(byte[] weights) {
        return new ModelMetadata("covid-head", "v1", OffsetDateTime.parse("2026-11-25T10:00:00Z"), "resnet34:random",
                HeadArchitecture.standard(512, 0.5), null, Sha256.hex(weights), null, null);
    }

    @Test
    void roundTripsThroughBytes() throws IOException {
        byte[] weights = {1, 2, 3, 4, 5};
        ModelArtifact artifact = new ModelArtifact(metadata(weights), weights);
        ModelArtifact read = ModelArtifact.fromBytes(artifact.toBytes());
        assertThat(read).isEqualTo(artifact);
        assertThat(read.integrityVerified()).isTrue();
    }

    @Test
    void carriesLineageIntervalsAndTheModelCardsAddress() throws IOException {
        byte[] weights = {7, 7};
        ModelMetadata m = metadata(weights);
        ModelMetrics metrics = new ModelMetrics(List.of(), 0.9, 0.8, 0.8, 0.8, 0.8, 0.5, null, 10, 4,
                new ModelMetrics.Intervals(new ModelMetrics.Range(0.8, 0.97), new ModelMetrics.Range(0.7, 0.9),
                        new ModelMetrics.Range(null, null), new ModelMetrics.Range(0.6, 1.0), 0.95, 1000, 4));
        ModelArtifact artifact = new ModelArtifact(new ModelMetadata(m.modelName(), m.version(), m.createdAt(),
                m.backboneId(), m.head(), metrics, m.weightsSha256(), "run1", "/training/runs/run1/report",
                ScanSet.of(List.of("s1", "s2")), "/training/runs/run1/card"), weights);

        ModelArtifact read = ModelArtifact.fromBytes(artifact.toBytes());

        assertThat(read).isEqualTo(artifact);
        assertThat(read.metadata().trainedOn().contains("s2")).isTrue();
        assertThat(read.metadata().metrics().intervals().auc().upper()).isEqualTo(0.97);
        assertThat(read.metadata().cardUri()).isEqualTo("/training/runs/run1/card");
    }

    @Test
    void detectsTamperedWeights() throws IOException {
        byte[] weights = {1, 2, 3, 4, 5};
        ModelArtifact tampered = new ModelArtifact(metadata(weights), new byte[] {1, 2, 3, 4, 6});
        assertThat(ModelArtifact.fromBytes(tampered.toBytes()).integrityVerified()).isFalse();
    }

    @Test
    void refusesBytesThatAreNotAnArtifact() {
        assertThatThrownBy(() -> ModelArtifact.fromBytes(new byte[] {1, 2, 3})).isInstanceOf(IOException.class);
    }

    @Test
    void refusesWeightsThatInflateBeyondWhatTheTopicCarriesAndRepeatedEntries() throws IOException {
        // 17 MiB of zeros deflate to a few KiB: a ZIP bomb on the model topic would inflate without bound
        byte[] inflated = new byte[Topics.MODEL_MAX_MESSAGE_BYTES + 1024 * 1024];
        byte[] bomb = zip(List.of(ModelArtifact.METADATA_ENTRY, ModelArtifact.WEIGHTS_ENTRY),
                List.of(io.scanstream.core.contract.Json.write(metadata(inflated)), inflated));
        assertThat(bomb.length).isLessThan(1024 * 1024);
        assertThatThrownBy(() -> ModelArtifact.fromBytes(bomb)).isInstanceOf(IOException.class)
                .hasMessageContaining(ModelArtifact.WEIGHTS_ENTRY).hasMessageContaining("larger than");

        byte[] weights = {1, 2, 3};
        byte[] twice = zip(List.of(ModelArtifact.METADATA_ENTRY, ModelArtifact.WEIGHTS_ENTRY, ModelArtifact.WEIGHTS_ENTRY),
                List.of(io.scanstream.core.contract.Json.write(metadata(weights)), weights, new byte[] {9}));
        assertThatThrownBy(() -> ModelArtifact.fromBytes(twice)).isInstanceOf(IOException.class)
                .hasMessageContaining("twice");
    }

    @Test
    void metadataOutOfBoundsIsNamedByTheCheck() {
        byte[] weights = {1};
        ModelMetadata valid = metadata(weights);
        assertThat(ModelMetadataCheck.problems(valid)).isEmpty();
        assertThat(ModelMetadataCheck.problems(withMetrics(valid, 2.0, 0.9))).singleElement().asString()
                .contains("metrics.threshold 2.0");
        assertThat(ModelMetadataCheck.problems(withMetrics(valid, 0.5, Double.NaN))).singleElement().asString()
                .contains("metrics.auc NaN");
        assertThat(ModelMetadataCheck.problems(withMetrics(valid, -0.1, 0.9))).isNotEmpty();
        HeadArchitecture huge = new HeadArchitecture(1 << 17, List.of(512), 0.5, 2);
        assertThat(ModelMetadataCheck.problems(huge)).singleElement().asString().contains("head.inputDim");
        HeadArchitecture tooManyParameters = new HeadArchitecture(1 << 16, List.of(1 << 16), 0.5, 2);
        assertThat(ModelMetadataCheck.problems(tooManyParameters)).singleElement().asString()
                .contains("bytes of parameters");
        assertThat(ModelMetadataCheck.problems(new HeadArchitecture(512, List.of(512), Double.NaN, 2))).isNotEmpty();
        BackboneRef hugeBackbone = new BackboneRef("mobilenet_v2:aaaaaaaaaaaa", "mobilenet_v2", "final",
                "a".repeat(64), Long.MAX_VALUE, BackboneRef.Source.PUBLISHED);
        assertThat(ModelMetadataCheck.problems(new ModelMetadata(valid.modelName(), valid.version(), valid.createdAt(),
                hugeBackbone.id(), valid.head(), null, valid.weightsSha256(), null, null, null, null, hugeBackbone,
                null))).singleElement().asString().contains("backbone.sizeBytes");
        // a negative width cannot even be parsed: the record refuses it (inference counts it as INVALID_METADATA)
        assertThatThrownBy(() -> new HeadArchitecture(512, List.of(-8), 0.5, 2))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static ModelMetadata withMetrics(ModelMetadata m, double threshold, double auc) {
        return new ModelMetadata(m.modelName(), m.version(), m.createdAt(), m.backboneId(), m.head(),
                new ModelMetrics(List.of(), auc, 0.8, 0.8, 0.8, 0.8, threshold, null, 10, 4), m.weightsSha256(),
                null, null);
    }

    private static byte[] zip(List<String> names, List<byte[]> contents) throws IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(bytes)) {
            for (int i = 0; i < names.size(); i++) {
                // the JDK refuses duplicate names when writing: give the repeat a distinct entry object via reflection-free trick
                java.util.zip.ZipEntry entry = new java.util.zip.ZipEntry(names.get(i));
                try {
                    zip.putNextEntry(entry);
                } catch (java.util.zip.ZipException duplicate) {
                    return rawDuplicate(names, contents);
                }
                zip.write(contents.get(i));
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    /** Two ZIPs' entries back to back: ZipInputStream reads local headers in order, so the second weights follow. */
    private static byte[] rawDuplicate(List<String> names, List<byte[]> contents) throws IOException {
        java.io.ByteArrayOutputStream first = new java.io.ByteArrayOutputStream();
        try (java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(first)) {
            for (int i = 0; i < names.size() - 1; i++) {
                zip.putNextEntry(new java.util.zip.ZipEntry(names.get(i)));
                zip.write(contents.get(i));
                zip.closeEntry();
            }
            zip.finish();
        }
        byte[] a = first.toByteArray();
        java.io.ByteArrayOutputStream second = new java.io.ByteArrayOutputStream();
        try (java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(second)) {
            zip.putNextEntry(new java.util.zip.ZipEntry(names.get(names.size() - 1)));
            zip.write(contents.get(names.size() - 1));
            zip.closeEntry();
        }
        // the local entries of the first archive (up to its central directory), then the whole second one
        int centralDirectory = indexOf(a, new byte[] {0x50, 0x4b, 0x01, 0x02});
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(a, 0, centralDirectory);
        out.write(second.toByteArray());
        return out.toByteArray();
    }

    private static int indexOf(byte[] bytes, byte[] pattern) {
        outer:
        for (int i = 0; i <= bytes.length - pattern.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (bytes[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Test
    void describesTheStandardHead() {
        HeadArchitecture head = HeadArchitecture.standard(1280, 0.3);
        assertThat(head.describe()).isEqualTo("1280-512-256-128-2");
        assertThat(head.linearLayers()).isEqualTo(4);
        assertThatThrownBy(() -> new HeadArchitecture(1280, List.of(500), 0.3, 2)).isInstanceOf(IllegalArgumentException.class);
    }
}
