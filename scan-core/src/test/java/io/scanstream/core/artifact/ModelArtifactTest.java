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
