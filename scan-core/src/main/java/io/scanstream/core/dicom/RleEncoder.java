package io.scanstream.core.dicom;

import java.io.ByteArrayOutputStream;

/** DICOM RLE lossless encoder (PS3.5 Annex G), for the simulated device and tests. */
final class RleEncoder {

    private RleEncoder() {
    }

    static byte[] encode(short[] samples, int bitsAllocated) {
        int planes = bitsAllocated / 8;
        byte[][] segments = new byte[planes][];
        for (int plane = 0; plane < planes; plane++) {
            int shift = 8 * (planes - 1 - plane);
            byte[] bytes = new byte[samples.length];
            for (int i = 0; i < samples.length; i++) {
                bytes[i] = (byte) ((samples[i] & 0xFFFF) >>> shift);
            }
            segments[plane] = packBits(bytes);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long offset = 64;
        DicomWriter.writeU32(out, planes);
        for (int i = 0; i < 15; i++) {
            DicomWriter.writeU32(out, i < planes ? offset : 0);
            if (i < planes) {
                offset += segments[i].length;
            }
        }
        for (byte[] segment : segments) {
            out.writeBytes(segment);
        }
        return out.toByteArray();
    }

    private static byte[] packBits(byte[] in) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        while (i < in.length) {
            int run = 1;
            while (i + run < in.length && run < 128 && in[i + run] == in[i]) {
                run++;
            }
            if (run >= 3) {
                out.write(1 - run);
                out.write(in[i]);
                i += run;
                continue;
            }
            int start = i;
            int literal = 0;
            while (i < in.length && literal < 128) {
                if (i + 2 < in.length && in[i] == in[i + 1] && in[i] == in[i + 2]) {
                    break;
                }
                i++;
                literal++;
            }
            out.write(literal - 1);
            out.write(in, start, literal);
        }
        if (out.size() % 2 == 1) {
            out.write(0x80); // a no-op run: segments have an even length
        }
        return out.toByteArray();
    }
}
