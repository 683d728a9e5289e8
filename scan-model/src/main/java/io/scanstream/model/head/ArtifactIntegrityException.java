package io.scanstream.model.head;

/** A model artifact whose weights do not hash to the sha256 its metadata declares: corrupt or tampered with. */
public final class ArtifactIntegrityException extends RuntimeException {

    public ArtifactIntegrityException(String message) {
        super(message);
    }
}
