package io.scanstream.core.dicom;

import java.io.ByteArrayOutputStream;

/**
 * JPEG lossless (process 14) encoder for one component, with a Huffman table made for the image (T.81 Annex K.2).
 * ScanStream never compresses scans in service; this writes the compressed instances of the simulated device,
 * the benchmarks and the tests. dcmtk's {@code dcmdjpeg} decodes its output (tested where dcmtk is installed).
 */
final class JpegLosslessEncoder {

    private JpegLosslessEncoder() {
    }

    /**
     * @param samples   raw sample bit patterns (unsigned, {@code precision} bits), row-major
     * @param predictor selection value 1..7
     */
    static byte[] encode(short[] samples, int width, int height, int precision, int predictor) {
        return encode(samples, width, height, precision, predictor, 0);
    }

    /** @param restartLines lines per restart interval (a DRI segment and RSTn markers), 0 for none */
    static byte[] encode(short[] samples, int width, int height, int precision, int predictor, int restartLines) {
        int linesPerInterval = restartLines > 0 ? restartLines : Integer.MAX_VALUE;
        int[] categories = new int[samples.length];
        int[] extra = new int[samples.length];
        long[] frequencies = new long[17];
        int mask = (1 << precision) - 1;
        int initial = 1 << (precision - 1);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int i = y * width + x;
                int value = samples[i] & mask;
                int prediction;
                if (y % linesPerInterval == 0) { // the first line, and the first after each restart
                    prediction = x == 0 ? initial : samples[i - 1] & mask;
                } else if (x == 0) {
                    prediction = samples[i - width] & mask;
                } else {
                    int ra = samples[i - 1] & mask;
                    int rb = samples[i - width] & mask;
                    int rc = samples[i - width - 1] & mask;
                    prediction = switch (predictor) {
                        case 1 -> ra;
                        case 2 -> rb;
                        case 3 -> rc;
                        case 4 -> ra + rb - rc;
                        case 5 -> ra + ((rb - rc) >> 1);
                        case 6 -> rb + ((ra - rc) >> 1);
                        default -> (ra + rb) >> 1;
                    };
                }
                int difference = (value - prediction) & 0xFFFF;
                if (difference >= 32768) {
                    difference -= 65536;
                }
                int category;
                if (difference == -32768) {
                    category = 16; // the one 16-bit difference, sent without extra bits
                } else {
                    category = 32 - Integer.numberOfLeadingZeros(Math.abs(difference));
                    extra[i] = difference >= 0 ? difference : difference + (1 << category) - 1;
                }
                categories[i] = category;
                frequencies[category]++;
            }
        }
        int[] lengths = HuffmanLengths.of(frequencies);
        int[] codes = new int[17];
        int[] counts = new int[17];
        for (int symbol = 0; symbol <= 16; symbol++) {
            if (lengths[symbol] > 0) {
                counts[lengths[symbol]]++;
            }
        }
        // Canonical codes in order of length, then symbol (the order HUFFVAL lists them).
        int[] values = new int[17];
        int n = 0;
        for (int length = 1; length <= 16; length++) {
            for (int symbol = 0; symbol <= 16; symbol++) {
                if (lengths[symbol] == length) {
                    values[n++] = symbol;
                }
            }
        }
        int code = 0;
        int k = 0;
        for (int length = 1; length <= 16; length++) {
            for (int i = 0; i < counts[length]; i++) {
                codes[values[k++]] = code++;
            }
            code <<= 1;
        }

        ByteArrayOutputStream out = new ByteArrayOutputStream(samples.length);
        marker(out, 0xD8);
        marker(out, 0xC3);
        u16(out, 11);
        out.write(precision);
        u16(out, height);
        u16(out, width);
        out.write(1);
        out.write(1);
        out.write(0x11);
        out.write(0);
        marker(out, 0xC4);
        u16(out, 2 + 17 + n);
        out.write(0x00);
        for (int length = 1; length <= 16; length++) {
            out.write(counts[length]);
        }
        for (int i = 0; i < n; i++) {
            out.write(values[i]);
        }
        if (restartLines > 0) {
            marker(out, 0xDD);
            u16(out, 4);
            u16(out, restartLines * width);
        }
        marker(out, 0xDA);
        u16(out, 8);
        out.write(1);
        out.write(1);
        out.write(0x00);
        out.write(predictor);
        out.write(0);
        out.write(0);
        BitWriter bits = new BitWriter(out);
        for (int i = 0; i < samples.length; i++) {
            int line = i / width;
            if (restartLines > 0 && i % width == 0 && line > 0 && line % restartLines == 0) {
                bits.flush();
                marker(out, 0xD0 + ((line / restartLines - 1) % 8));
            }
            int category = categories[i];
            bits.write(codes[category], lengths[category]);
            if (category > 0 && category < 16) {
                bits.write(extra[i], category);
            }
        }
        bits.flush();
        marker(out, 0xD9);
        return out.toByteArray();
    }

    private static void marker(ByteArrayOutputStream out, int code) {
        out.write(0xFF);
        out.write(code);
    }

    private static void u16(ByteArrayOutputStream out, int v) {
        out.write(v >> 8);
        out.write(v & 0xFF);
    }

    /** Entropy-coded bits, MSB first, with 0xFF stuffed and the last byte padded with ones. */
    private static final class BitWriter {
        private final ByteArrayOutputStream out;
        private long buffer;
        private int count;

        BitWriter(ByteArrayOutputStream out) {
            this.out = out;
        }

        void write(int value, int length) {
            buffer = (buffer << length) | (value & ((1L << length) - 1));
            count += length;
            while (count >= 8) {
                int b = (int) (buffer >>> (count - 8)) & 0xFF;
                out.write(b);
                if (b == 0xFF) {
                    out.write(0);
                }
                count -= 8;
            }
        }

        void flush() {
            if (count > 0) {
                write((1 << (8 - count)) - 1, 8 - count);
            }
        }
    }

    /** Code lengths of at most 16 bits, no code of all ones (T.81 Annex K.2, as libjpeg does it). */
    static final class HuffmanLengths {
        private HuffmanLengths() {
        }

        static int[] of(long[] frequencies) {
            int symbols = frequencies.length;
            long[] freq = new long[symbols + 1];
            System.arraycopy(frequencies, 0, freq, 0, symbols);
            freq[symbols] = 1; // reserved: keeps any real code from being all ones
            int[] codeSize = new int[symbols + 1];
            int[] others = new int[symbols + 1];
            java.util.Arrays.fill(others, -1);
            while (true) {
                int c1 = -1;
                long v = Long.MAX_VALUE;
                for (int i = 0; i <= symbols; i++) {
                    if (freq[i] != 0 && freq[i] <= v) {
                        v = freq[i];
                        c1 = i;
                    }
                }
                int c2 = -1;
                v = Long.MAX_VALUE;
                for (int i = 0; i <= symbols; i++) {
                    if (freq[i] != 0 && freq[i] <= v && i != c1) {
                        v = freq[i];
                        c2 = i;
                    }
                }
                if (c2 < 0) {
                    break;
                }
                freq[c1] += freq[c2];
                freq[c2] = 0;
                codeSize[c1]++;
                while (others[c1] >= 0) {
                    c1 = others[c1];
                    codeSize[c1]++;
                }
                others[c1] = c2;
                codeSize[c2]++;
                while (others[c2] >= 0) {
                    c2 = others[c2];
                    codeSize[c2]++;
                }
            }
            int[] bits = new int[33];
            for (int i = 0; i <= symbols; i++) {
                if (codeSize[i] > 0) {
                    bits[codeSize[i]]++;
                }
            }
            for (int i = 32; i > 16; i--) {
                while (bits[i] > 0) {
                    int j = i - 2;
                    while (bits[j] == 0) {
                        j--;
                    }
                    bits[i] -= 2;
                    bits[i - 1]++;
                    bits[j + 1] += 2;
                    bits[j]--;
                }
            }
            int longest = 16;
            while (bits[longest] == 0) {
                longest--;
            }
            bits[longest]--; // drop the reserved code
            // Assign lengths to the real symbols, most frequent first, shortest lengths first.
            Integer[] order = new Integer[symbols];
            for (int i = 0; i < symbols; i++) {
                order[i] = i;
            }
            java.util.Arrays.sort(order, (a, b) -> codeSize[a] != codeSize[b]
                    ? Integer.compare(codeSize[a] == 0 ? Integer.MAX_VALUE : codeSize[a],
                    codeSize[b] == 0 ? Integer.MAX_VALUE : codeSize[b]) : Integer.compare(a, b));
            int[] lengths = new int[symbols];
            int next = 0;
            for (int length = 1; length <= 16; length++) {
                for (int i = 0; i < bits[length]; i++) {
                    lengths[order[next++]] = length;
                }
            }
            return lengths;
        }
    }
}
