package io.scanstream.core.artifact;

import java.util.Objects;

/**
 * The backbone a model version runs on (v2 versions): {@code PUBLISHED} — a backbone on {@code models.backbones},
 * verified against {@code sha256} and {@code sizeBytes} before use; {@code BOOTSTRAP} — the weights file every
 * service is configured with, used before any backbone is published.
 */
public record BackboneRef(String id, String architecture, String readout, String sha256, long sizeBytes,
                          Source source) {

    public enum Source { PUBLISHED, BOOTSTRAP }

    public BackboneRef {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(source, "source");
    }

    public static BackboneRef bootstrap(String id, String architecture, String readout) {
        return new BackboneRef(id, architecture, readout, null, 0, Source.BOOTSTRAP);
    }
}
