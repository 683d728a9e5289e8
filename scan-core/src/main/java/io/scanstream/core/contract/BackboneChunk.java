package io.scanstream.core.contract;

import java.util.Objects;

/** {@code models.backbones}: chunk {@code index} of a published backbone's weights ({@code BackboneChunks}). */
public record BackboneChunk(String backboneId, int index, byte[] bytes) {

    public BackboneChunk {
        Objects.requireNonNull(backboneId, "backboneId");
        Objects.requireNonNull(bytes, "bytes");
        if (index < 0) {
            throw new IllegalArgumentException("chunk index must be >= 0, got " + index);
        }
    }
}
