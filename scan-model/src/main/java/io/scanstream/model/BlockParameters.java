package io.scanstream.model;

import ai.djl.nn.Block;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** A block's parameters as bytes, in DJL's own format ({@code Block.saveParameters}): heads and backbones alike. */
public final class BlockParameters {

    private BlockParameters() {
    }

    public static byte[] toBytes(Block block) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            block.saveParameters(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
