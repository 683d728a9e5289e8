package io.scanstream.core.dicom;

/**
 * JPEG lossless, non-hierarchical, Huffman coded (ITU-T T.81 process 14, Annex H), one component, 2 to 16 bits,
 * any of the seven predictors (selection value 1 is what DICOM's {@code 1.2.840.10008.1.2.4.70} mandates and
 * what CT archives mostly hold), point transform and restart intervals of whole lines.
 *
 * <p>Written here rather than taken from TwelveMonkeys' {@code imageio-jpeg}: its jars register ImageIO plugins
 * through the service loader, so with them on the class path {@code ImageIO.getImageReadersByFormatName("jpeg")}
 * returns TwelveMonkeys' reader instead of the JDK's (whose warnings ingest treats as damage) and ImageIO's input
 * streams change too. The decoder is small, and strict: the frame must match the DICOM header, every marker
 * segment must fit, and a scan that runs out of data before its last sample is refused instead of padded.
 */
final class JpegLosslessDecoder {

    private static final int SOI = 0xD8;
    private static final int EOI = 0xD9;
    private static final int SOS = 0xDA;
    private static final int DHT = 0xC4;
    private static final int DRI = 0xDD;
    private static final int SOF3 = 0xC3;
    private static final int RST0 = 0xD0;

    private final byte[] data;
    private final PixelModule module;
    private final HuffmanTable[] tables = new HuffmanTable[4];
    private int restartInterval;
    private int precision = -1;
    private int componentId;

    private JpegLosslessDecoder(byte[] data, PixelModule module) {
        this.data = data;
        this.module = module;
    }

    static short[] decode(byte[] data, PixelModule module) {
        return new JpegLosslessDecoder(data, module).decode();
    }

    private short[] decode() {
        if (data.length < 4 || (data[0] & 0xFF) != 0xFF || (data[1] & 0xFF) != SOI) {
            throw DicomRefusal.corrupt("JPEG lossless pixel data does not start with a JPEG SOI marker");
        }
        int pos = 2;
        while (true) {
            while (pos < data.length && (data[pos] & 0xFF) == 0xFF && pos + 1 < data.length
                    && (data[pos + 1] & 0xFF) == 0xFF) {
                pos++; // fill bytes before a marker
            }
            if (pos + 4 > data.length || (data[pos] & 0xFF) != 0xFF) {
                throw DicomRefusal.corrupt("JPEG lossless stream ends or is damaged before its scan");
            }
            int marker = data[pos + 1] & 0xFF;
            if (marker == EOI) {
                throw DicomRefusal.corrupt("JPEG lossless stream has no scan before EOI");
            }
            int length = u16(pos + 2);
            int segment = pos + 4;
            int segmentEnd = pos + 2 + length;
            if (length < 2 || segmentEnd > data.length) {
                throw DicomRefusal.corrupt("JPEG marker segment FF" + hex(marker) + " declares " + length
                        + " bytes past the end of the stream");
            }
            switch (marker) {
                case SOF3 -> readFrame(segment, segmentEnd);
                case DHT -> readHuffmanTables(segment, segmentEnd);
                case DRI -> restartInterval = segmentEnd - segment >= 2 ? u16(segment) : 0;
                case SOS -> {
                    return readScan(segment, segmentEnd);
                }
                default -> {
                    if (isOtherFrame(marker)) {
                        throw DicomRefusal.unsupported("JPEG frame type SOF" + (marker - 0xC0) + " in a JPEG lossless "
                                + "transfer syntax; only process 14 (SOF3, Huffman) is read");
                    }
                    // APPn, COM, DQT, DNL and the like carry nothing the pixels need.
                }
            }
            pos = segmentEnd;
        }
    }

    private static boolean isOtherFrame(int marker) {
        return marker >= 0xC0 && marker <= 0xCF && marker != DHT && marker != 0xC8 && marker != 0xCC && marker != SOF3;
    }

    private void readFrame(int at, int end) {
        if (end - at < 9) {
            throw DicomRefusal.corrupt("JPEG lossless frame header is truncated");
        }
        precision = data[at] & 0xFF;
        int height = u16(at + 1);
        int width = u16(at + 3);
        int components = data[at + 5] & 0xFF;
        if (components != 1) {
            throw DicomRefusal.unsupported("JPEG lossless frame with " + components + " components; one is read");
        }
        if (precision < 2 || precision > 16 || precision > module.bitsAllocated()) {
            throw DicomRefusal.corrupt("JPEG lossless precision " + precision + " with " + module.bitsAllocated()
                    + " bits allocated");
        }
        if (height != module.rows() || width != module.columns()) {
            throw DicomRefusal.corrupt("JPEG frame of " + width + "x" + height + " in an instance of "
                    + module.columns() + "x" + module.rows() + " (inconsistent lengths)");
        }
        componentId = data[at + 6] & 0xFF;
    }

    private void readHuffmanTables(int at, int end) {
        int pos = at;
        while (pos < end) {
            if (pos + 17 > end) {
                throw DicomRefusal.corrupt("JPEG Huffman table segment is truncated");
            }
            int tableClass = (data[pos] & 0xFF) >> 4;
            int id = data[pos] & 0x0F;
            if (tableClass != 0 || id > 3) {
                throw DicomRefusal.corrupt("JPEG lossless Huffman table of class " + tableClass + " id " + id);
            }
            int[] counts = new int[17];
            int total = 0;
            for (int length = 1; length <= 16; length++) {
                counts[length] = data[pos + length] & 0xFF;
                total += counts[length];
            }
            if (total > 17 || pos + 17 + total > end) {
                throw DicomRefusal.corrupt("JPEG lossless Huffman table declares " + total + " codes");
            }
            int[] values = new int[total];
            for (int i = 0; i < total; i++) {
                values[i] = data[pos + 17 + i] & 0xFF;
                if (values[i] > 16) {
                    throw DicomRefusal.corrupt("JPEG lossless Huffman table holds difference category " + values[i]);
                }
            }
            tables[id] = new HuffmanTable(counts, values);
            pos += 17 + total;
        }
    }

    private short[] readScan(int at, int end) {
        if (precision < 0) {
            throw DicomRefusal.corrupt("JPEG lossless scan before its frame header (SOF3)");
        }
        if (end - at < 6 || (data[at] & 0xFF) != 1) {
            throw DicomRefusal.corrupt("JPEG lossless scan header is truncated or names more than one component");
        }
        if ((data[at + 1] & 0xFF) != componentId) {
            throw DicomRefusal.corrupt("JPEG lossless scan names a component the frame does not have");
        }
        HuffmanTable table = tables[(data[at + 2] & 0xFF) >> 4];
        if (table == null) {
            throw DicomRefusal.corrupt("JPEG lossless scan uses a Huffman table that was not defined");
        }
        int predictor = data[at + 3] & 0xFF;
        int pointTransform = data[at + 5] & 0x0F;
        if (predictor < 1 || predictor > 7) {
            throw DicomRefusal.corrupt("JPEG lossless selection value " + predictor + "; 1 to 7 expected");
        }
        if (pointTransform >= precision) {
            throw DicomRefusal.corrupt("JPEG lossless point transform " + pointTransform + " at precision " + precision);
        }
        int width = module.columns();
        if (restartInterval > 0 && restartInterval % width != 0) {
            throw DicomRefusal.unsupported("JPEG lossless restart interval of " + restartInterval
                    + " samples is not a whole number of lines");
        }
        return new ScanDecoding(table, predictor, pointTransform, end).run();
    }

    /** The entropy-coded segment: differences decoded and added to the predictions, line by line. */
    private final class ScanDecoding {
        private final HuffmanTable table;
        private final int predictor;
        private final int pointTransform;
        private int pos;
        private long bitBuffer;
        private int bitCount;
        /** Zero bits appended after the data ran out (or a marker came): reading any of them is truncation. */
        private int padding;
        private boolean atMarker;

        ScanDecoding(HuffmanTable table, int predictor, int pointTransform, int start) {
            this.table = table;
            this.predictor = predictor;
            this.pointTransform = pointTransform;
            this.pos = start;
        }

        short[] run() {
            int width = module.columns();
            int height = module.rows();
            short[] out = new short[width * height];
            int[] previous = new int[width];
            int[] current = new int[width];
            int initial = 1 << (precision - pointTransform - 1);
            int linesPerInterval = restartInterval == 0 ? Integer.MAX_VALUE : restartInterval / width;
            boolean firstLine = true;
            for (int y = 0; y < height; y++) {
                if (y > 0 && y % linesPerInterval == 0) {
                    restart(y / linesPerInterval - 1);
                    firstLine = true;
                }
                for (int x = 0; x < width; x++) {
                    int prediction;
                    if (firstLine) {
                        prediction = x == 0 ? initial : current[x - 1];
                    } else if (x == 0) {
                        prediction = previous[0];
                    } else {
                        int ra = current[x - 1];
                        int rb = previous[x];
                        int rc = previous[x - 1];
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
                    int value = (prediction + difference()) & 0xFFFF; // modulo 2^16 (H.1.2.1)
                    current[x] = value;
                    out[y * width + x] = (short) (value << pointTransform);
                }
                if (bitCount < padding) {
                    throw DicomRefusal.corrupt("JPEG lossless data ends inside line " + (y + 1) + " of " + height
                            + " (truncated)");
                }
                int[] swap = previous;
                previous = current;
                current = swap;
                firstLine = false;
            }
            return out;
        }

        private int difference() {
            int category = decodeCategory();
            if (category == 0) {
                return 0;
            }
            if (category == 16) {
                return 32768;
            }
            int bits = take(category);
            return bits < (1 << (category - 1)) ? bits - (1 << category) + 1 : bits;
        }

        private int decodeCategory() {
            fill();
            int peek = (int) (bitBuffer >>> (bitCount - 16)) & 0xFFFF;
            int entry = table.lookup[peek >>> (16 - HuffmanTable.LOOKUP_BITS)];
            if (entry != 0) {
                bitCount -= entry >>> 8;
                return entry & 0xFF;
            }
            for (int length = HuffmanTable.LOOKUP_BITS + 1; length <= 16; length++) {
                int code = peek >>> (16 - length);
                if (code <= table.maxCode[length]) {
                    bitCount -= length;
                    return table.values[table.valueOffset[length] + code - table.minCode[length]];
                }
            }
            throw DicomRefusal.corrupt("JPEG lossless data holds an invalid Huffman code (damaged)");
        }

        private int take(int n) {
            fill();
            bitCount -= n;
            return (int) (bitBuffer >>> bitCount) & ((1 << n) - 1);
        }

        /** Keeps more than 32 bits buffered; unstuffs FF00, stops at a marker or the end (then adds zero padding). */
        private void fill() {
            while (bitCount <= 32) {
                int b = 0;
                if (atMarker || pos >= data.length) {
                    padding += 8;
                } else {
                    b = data[pos] & 0xFF;
                    if (b != 0xFF) {
                        pos++;
                    } else if (pos + 1 < data.length && data[pos + 1] == 0) {
                        pos += 2; // a stuffed 0xFF data byte
                    } else {
                        atMarker = true;
                        b = 0;
                        padding += 8;
                    }
                }
                bitBuffer = (bitBuffer << 8) | b;
                bitCount += 8;
            }
            if (padding > 64) { // more than the buffer holds: padding has been read as data
                throw DicomRefusal.corrupt("JPEG lossless data ends before its last line (truncated)");
            }
        }

        private void restart(int index) {
            if (bitCount < padding) {
                throw DicomRefusal.corrupt("JPEG lossless data ends inside a restart interval (truncated)");
            }
            // The bits left of the interval are byte-alignment padding; RSTn must follow.
            while (!atMarker && pos < data.length) {
                bitCount = 0;
                padding = 0;
                fill();
            }
            int expected = RST0 + (index % 8);
            if (!atMarker || pos + 1 >= data.length || (data[pos + 1] & 0xFF) != expected) {
                throw DicomRefusal.corrupt("JPEG lossless restart marker RST" + (expected - RST0) + " missing");
            }
            pos += 2;
            atMarker = false;
            bitBuffer = 0;
            bitCount = 0;
            padding = 0;
        }
    }

    /** A lossless Huffman table: canonical codes (T.81 Annex C), with a lookup for codes of up to 9 bits. */
    private static final class HuffmanTable {
        static final int LOOKUP_BITS = 9;
        final int[] lookup = new int[1 << LOOKUP_BITS];
        final int[] minCode = new int[17];
        final int[] maxCode = new int[17];
        final int[] valueOffset = new int[17];
        final int[] values;

        HuffmanTable(int[] counts, int[] values) {
            this.values = values;
            int code = 0;
            int k = 0;
            for (int length = 1; length <= 16; length++) {
                valueOffset[length] = k;
                minCode[length] = code;
                for (int i = 0; i < counts[length]; i++) {
                    if (length <= LOOKUP_BITS) {
                        int first = code << (LOOKUP_BITS - length);
                        int span = 1 << (LOOKUP_BITS - length);
                        for (int j = 0; j < span; j++) {
                            lookup[first + j] = (length << 8) | values[k];
                        }
                    }
                    code++;
                    k++;
                }
                maxCode[length] = counts[length] == 0 ? -1 : code - 1;
                if (code > (1 << length)) {
                    throw DicomRefusal.corrupt("JPEG lossless Huffman table is not a valid prefix code");
                }
                code <<= 1;
            }
        }
    }

    private int u16(int at) {
        return (data[at] & 0xFF) << 8 | (data[at + 1] & 0xFF);
    }

    private static String hex(int marker) {
        return String.format("%02X", marker);
    }
}
