package io.scanstream.core.dicom;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.Deflater;

/**
 * Writes DICOM Part 10 files: preamble, file meta information (explicit VR little endian, group length, media
 * storage SOP class and instance taken from the dataset), then the dataset in the chosen transfer syntax (implicit,
 * explicit or deflated explicit VR little endian; encapsulated syntaxes with their fragments), elements in tag
 * order, values padded to even length. Used for de-identified copies, the simulated device and tests.
 */
public final class DicomWriter {

    /** ScanStream's implementation class UID (a UUID-derived UID under the 2.25 root). */
    public static final String IMPLEMENTATION_CLASS_UID = "2.25.184975312063926741359473015262153497";
    public static final String IMPLEMENTATION_VERSION = "SCANSTREAM_1";

    private record Value(String vr, byte[] bytes, List<byte[]> fragments) {
    }

    private final TransferSyntax transferSyntax;
    private final Map<Integer, Value> dataset = new TreeMap<>(Integer::compareUnsigned);

    public DicomWriter(TransferSyntax transferSyntax) {
        this.transferSyntax = transferSyntax;
    }

    /** A string value (UI padded with NUL, others with a space). */
    public DicomWriter string(int tag, String vr, String value) {
        byte[] bytes = value.getBytes(vr.equals("PN") || vr.equals("LO") || vr.equals("SH") || vr.equals("LT")
                ? StandardCharsets.UTF_8 : StandardCharsets.US_ASCII);
        if (bytes.length % 2 == 1) {
            bytes = java.util.Arrays.copyOf(bytes, bytes.length + 1);
            bytes[bytes.length - 1] = (byte) (vr.equals("UI") ? 0 : ' ');
        }
        return bytes(tag, vr, bytes);
    }

    public DicomWriter uint16(int tag, int value) {
        return bytes(tag, "US", new byte[] {(byte) value, (byte) (value >> 8)});
    }

    public DicomWriter decimal(int tag, double value) {
        String text = value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : Double.toString(value);
        return string(tag, "DS", text);
    }

    public DicomWriter bytes(int tag, String vr, byte[] value) {
        dataset.put(tag, new Value(vr, value, null));
        return this;
    }

    /** Native pixel data: OW for 16-bit samples, OB for 8-bit. */
    public DicomWriter nativePixelData(byte[] pixels, int bitsAllocated) {
        byte[] even = pixels.length % 2 == 0 ? pixels : java.util.Arrays.copyOf(pixels, pixels.length + 1);
        return bytes(DicomTag.PIXEL_DATA, bitsAllocated > 8 ? "OW" : "OB", even);
    }

    /** Encapsulated pixel data: an empty basic offset table, then the fragments of the single frame. */
    public DicomWriter encapsulatedPixelData(List<byte[]> fragments) {
        dataset.put(DicomTag.PIXEL_DATA, new Value("OB", null, List.copyOf(fragments)));
        return this;
    }

    public DicomWriter remove(int tag) {
        dataset.remove(tag);
        return this;
    }

    public byte[] toBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[128]);
        out.writeBytes("DICM".getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(fileMeta());
        byte[] body = encodeDataset(transferSyntax.explicitVr());
        out.writeBytes(transferSyntax.deflated() ? deflate(body) : body);
        return out.toByteArray();
    }

    private byte[] fileMeta() {
        DicomWriter meta = new DicomWriter(TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN);
        meta.bytes(0x00020001, "OB", new byte[] {0, 1});
        meta.copy(DicomTag.SOP_CLASS_UID, DicomTag.MEDIA_STORAGE_SOP_CLASS_UID, this);
        meta.copy(DicomTag.SOP_INSTANCE_UID, DicomTag.MEDIA_STORAGE_SOP_INSTANCE_UID, this);
        meta.string(DicomTag.TRANSFER_SYNTAX_UID, "UI", transferSyntax.uid());
        meta.string(DicomTag.IMPLEMENTATION_CLASS_UID, "UI", IMPLEMENTATION_CLASS_UID);
        meta.string(DicomTag.IMPLEMENTATION_VERSION_NAME, "SH", IMPLEMENTATION_VERSION);
        byte[] elements = meta.encodeDataset(true);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeHeader(out, 0x00020000, "UL", 4, true);
        writeU32(out, elements.length);
        out.writeBytes(elements);
        return out.toByteArray();
    }

    private void copy(int from, int to, DicomWriter source) {
        Value v = source.dataset.get(from);
        if (v != null) {
            bytes(to, "UI", v.bytes());
        }
    }

    private byte[] encodeDataset(boolean explicit) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Map.Entry<Integer, Value> e : dataset.entrySet()) {
            Value v = e.getValue();
            if (v.fragments() != null) {
                writeHeader(out, e.getKey(), v.vr(), -1, true);
                writeItem(out, new byte[0]);
                for (byte[] fragment : v.fragments()) {
                    byte[] even = fragment.length % 2 == 0 ? fragment : java.util.Arrays.copyOf(fragment, fragment.length + 1);
                    writeItem(out, even);
                }
                writeU16(out, 0xFFFE);
                writeU16(out, 0xE0DD);
                writeU32(out, 0);
            } else {
                writeHeader(out, e.getKey(), v.vr(), v.bytes().length, explicit);
                out.writeBytes(v.bytes());
            }
        }
        return out.toByteArray();
    }

    private static void writeItem(ByteArrayOutputStream out, byte[] value) {
        writeU16(out, 0xFFFE);
        writeU16(out, 0xE000);
        writeU32(out, value.length);
        out.writeBytes(value);
    }

    /** An element header; length -1 is undefined. */
    static void writeHeader(ByteArrayOutputStream out, int tag, String vr, long length, boolean explicit) {
        writeU16(out, tag >>> 16);
        writeU16(out, tag & 0xFFFF);
        long encoded = length < 0 ? 0xFFFFFFFFL : length;
        if (!explicit) {
            writeU32(out, encoded);
            return;
        }
        out.writeBytes(vr.getBytes(StandardCharsets.US_ASCII));
        if (DicomReader.LONG_VRS.contains(vr)) {
            writeU16(out, 0);
            writeU32(out, encoded);
        } else {
            if (encoded > 0xFFFF) {
                throw new IllegalArgumentException("a " + vr + " value of " + length + " bytes needs a 32-bit length");
            }
            writeU16(out, (int) encoded);
        }
    }

    private static byte[] deflate(byte[] body) {
        Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        try {
            deflater.setInput(body);
            deflater.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[1 << 16];
            while (!deflater.finished()) {
                out.write(buffer, 0, deflater.deflate(buffer));
            }
            if (out.size() % 2 == 1) {
                out.write(0); // Part 10 files have an even length
            }
            return out.toByteArray();
        } finally {
            deflater.end();
        }
    }

    static void writeU16(ByteArrayOutputStream out, int v) {
        out.write(v & 0xFF);
        out.write((v >>> 8) & 0xFF);
    }

    static void writeU32(ByteArrayOutputStream out, long v) {
        writeU16(out, (int) (v & 0xFFFF));
        writeU16(out, (int) ((v >>> 16) & 0xFFFF));
    }
}
