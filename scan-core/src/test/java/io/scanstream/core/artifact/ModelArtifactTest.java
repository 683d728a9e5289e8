package io.scanstream.core.artifact;

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
    void describesTheStandardHead() {
        HeadArchitecture head = HeadArchitecture.standard(1280, 0.3);
        assertThat(head.describe()).isEqualTo("1280-512-256-128-2");
        assertThat(head.linearLayers()).isEqualTo(4);
        assertThatThrownBy(() -> new HeadArchitecture(1280, List.of(500), 0.3, 2)).isInstanceOf(IllegalArgumentException.class);
    }
}
