package io.scanstream.core.artifact;

import io.scanstream.core.integrity.Sha256;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * How a backbone's float weights are served quantised: the scheme and, for {@link #INT8_QDQ}, the range
 * ({@code [min, max]}) each activation of the graph took on calibration scans of the training side. The float weights
 * plus these ranges determine the int8 graph, so they travel in the backbone's manifest and every reader builds the
 * same graph from them.
 *
 * @param scheme           {@link #INT8_QDQ}
 * @param activationRanges one {@code [min, max]} per activation, in the graph's order
 */
public record Quantization(String scheme, float[][] activationRanges) {

    /**
     * int8 weights (per output channel, symmetric), uint8 activations (per tensor, over the ranges), as
     * QuantizeLinear/DequantizeLinear pairs around the float operators (scan-model's {@code OnnxExport}).
     */
    public static final String INT8_QDQ = "int8-qdq";

    public Quantization {
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(activationRanges, "activationRanges");
        if (!INT8_QDQ.equals(scheme)) {
            throw new IllegalArgumentException("unknown quantisation scheme '" + scheme + "', expected " + INT8_QDQ);
        }
        if (activationRanges.length == 0) {
            throw new IllegalArgumentException("no activation ranges");
        }
        for (int i = 0; i < activationRanges.length; i++) {
            float[] range = activationRanges[i];
            if (range == null || range.length != 2 || !Float.isFinite(range[0]) || !Float.isFinite(range[1])
                    || range[0] > range[1]) {
                throw new IllegalArgumentException("activation range " + i + " is not a finite [min, max]: "
                        + Arrays.toString(range));
            }
        }
        activationRanges = copy(activationRanges);
    }

    public static Quantization int8(float[][] activationRanges) {
        return new Quantization(INT8_QDQ, activationRanges);
    }

    @Override
    public float[][] activationRanges() {
        return copy(activationRanges);
    }

    /** The first 12 hex digits of the sha256 of the scheme and the ranges' float bits: part of the backbone id. */
    public String fingerprint() {
        ByteBuffer bits = ByteBuffer.allocate(activationRanges.length * 2 * Float.BYTES);
        for (float[] range : activationRanges) {
            bits.putFloat(range[0]).putFloat(range[1]);
        }
        byte[] name = scheme.getBytes(StandardCharsets.UTF_8);
        byte[] all = Arrays.copyOf(name, name.length + bits.capacity());
        System.arraycopy(bits.array(), 0, all, name.length, bits.capacity());
        return Sha256.hex(all).substring(0, 12);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Quantization q && scheme.equals(q.scheme)
                && Arrays.deepEquals(activationRanges, q.activationRanges);
    }

    @Override
    public int hashCode() {
        return 31 * scheme.hashCode() + Arrays.deepHashCode(activationRanges);
    }

    @Override
    public String toString() {
        return scheme + "[" + activationRanges.length + " activation ranges, " + fingerprint() + "]";
    }

    private static float[][] copy(float[][] ranges) {
        float[][] copy = new float[ranges.length][];
        for (int i = 0; i < ranges.length; i++) {
            copy[i] = ranges[i].clone();
        }
        return copy;
    }
}
