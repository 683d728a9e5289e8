package io.scanstream.core.dicom;

import static io.scanstream.core.dicom.DicomTag.*;

import io.scanstream.core.imaging.DecodeLimits;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A strict reader of DICOM Part 10 files (PS3.10): preamble, {@code DICM}, file meta information, then the dataset
 * in implicit VR little endian, explicit VR little endian or deflated explicit VR little endian, up to the top-level
 * Pixel Data element.
 *
 * <p>Bounded by construction: every declared length is checked against the bytes that remain before it is used,
 * nothing is copied but a few short strings, sequences (whose contents ScanStream never needs) are skipped to a
 * bounded depth, and a deflated dataset may not inflate beyond {@link DecodeLimits#maxBytes()}: what would be
 * refused uncompressed is refused compressed. Rows and columns are checked against the limits before any pixel is
 * decoded (by {@link DicomPixelDecoder}).
 *
 * <p>What is refused, each with its reason: files without {@code DICM} at byte 128, transfer syntaxes other than
 * those of {@link TransferSyntax} (JPEG 2000, JPEG-LS, big endian, video, ...), instances without pixel data,
 * multi-frame and enhanced (functional group) instances, other photometric interpretations than MONOCHROME1/2,
 * more than one sample per pixel, bit depths other than 8 or 16 allocated, and lengths that disagree.
 */
public final class DicomReader {

    static final long UNDEFINED_LENGTH = 0xFFFFFFFFL;
    /** Sequences nested deeper than this are refused: real files nest a handful of levels. */
    static final int MAX_NESTING = 16;
    /** Longest string value kept (PatientID is at most 64 characters, UIDs 64). */
    private static final int MAX_KEPT_STRING = 1024;

    /** SOP classes of enhanced multi-frame CT: per-frame functional groups hold what a single slice needs. */
    private static final Set<String> ENHANCED_SOP_CLASSES = Set.of(
            "1.2.840.10008.5.1.4.1.1.2.1", "1.2.840.10008.5.1.4.1.1.2.2");

    /** VRs whose explicit encoding has two reserved bytes and a 32-bit length (PS3.5 7.1.2). */
    static final Set<String> LONG_VRS = Set.of("OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN",
            "UR", "UT", "UV");

    private DicomReader() {
    }

    public static DicomResult<DicomInstance> read(byte[] bytes, DecodeLimits limits) {
        return DicomResult.of(() -> readOrRefuse(bytes, limits));
    }

    static DicomInstance readOrRefuse(byte[] bytes, DecodeLimits limits) {
        if (bytes == null || bytes.length == 0) {
            throw DicomRefusal.corrupt("empty payload (0 bytes)");
        }
        if (bytes.length > limits.maxBytes()) {
            throw DicomRefusal.tooLarge("payload of " + bytes.length + " bytes exceeds the limit of "
                    + limits.maxBytes() + " bytes");
        }
        if (!isPart10(bytes)) {
            throw DicomRefusal.unsupported("not a DICOM Part 10 file (no 'DICM' after the 128-byte preamble)");
        }
        Cursor meta = new Cursor(bytes, 132, bytes.length, true);
        String transferSyntaxUid = readFileMeta(meta);
        TransferSyntax ts = TransferSyntax.of(transferSyntaxUid)
                .orElseThrow(() -> DicomRefusal.unsupported(TransferSyntax.refusal(transferSyntaxUid)));
        Cursor dataset = ts.deflated()
                ? new Cursor(inflate(bytes, meta.pos, limits.maxBytes()), 0, -1, true)
                : new Cursor(bytes, meta.pos, bytes.length, ts.explicitVr());
        return new DatasetReader(dataset, ts, limits).read();
    }

    /** Whether the bytes start like a Part 10 file: 128-byte preamble, then {@code DICM}. */
    public static boolean isPart10(byte[] bytes) {
        return bytes != null && bytes.length >= 132 && bytes[128] == 'D' && bytes[129] == 'I' && bytes[130] == 'C'
                && bytes[131] == 'M';
    }

    /** Walks group 0002 (always explicit VR little endian) and returns the transfer syntax UID. */
    private static String readFileMeta(Cursor c) {
        String transferSyntax = null;
        while (c.remaining() >= 4 && c.u16(c.pos) == FILE_META_GROUP) {
            Element e = c.element("file meta information");
            if (e.undefinedLength()) {
                throw DicomRefusal.corrupt("file meta element " + tagName(e.tag) + " has an undefined length");
            }
            if (e.tag == TRANSFER_SYNTAX_UID) {
                transferSyntax = DicomText.ascii(c.bytes, e.valueOffset, Math.min(e.length(), 64));
            }
            c.pos = e.valueOffset + e.length();
        }
        if (transferSyntax == null || transferSyntax.isEmpty()) {
            throw DicomRefusal.corrupt("the file meta information has no Transfer Syntax UID (0002,0010)");
        }
        return transferSyntax;
    }

    private static byte[] inflate(byte[] bytes, int offset, long maxBytes) {
        Inflater inflater = new Inflater(true); // raw deflate, no zlib header (PS3.5 A.5)
        try {
            inflater.setInput(bytes, offset, bytes.length - offset);
            int capacity = (int) Math.min(maxBytes, Math.max(4096L, (bytes.length - offset) * 4L));
            byte[] out = new byte[capacity];
            int size = 0;
            while (!inflater.finished()) {
                if (size == out.length) {
                    if (out.length >= maxBytes) {
                        throw DicomRefusal.tooLarge("deflated dataset inflates beyond the limit of " + maxBytes + " bytes");
                    }
                    out = java.util.Arrays.copyOf(out, (int) Math.min(maxBytes, out.length * 2L));
                }
                int n = inflater.inflate(out, size, out.length - size);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw DicomRefusal.corrupt("deflated dataset is truncated");
                }
                size += n;
            }
            return size == out.length ? out : java.util.Arrays.copyOf(out, size);
        } catch (DataFormatException e) {
            throw DicomRefusal.corrupt("deflated dataset does not inflate: " + e.getMessage());
        } finally {
            inflater.end();
        }
    }

    static String tagName(int tag) {
        return String.format("(%04X,%04X)", tag >>> 16, tag & 0xFFFF);
    }

    /** One element header: tag, VR (null in implicit VR), where the value starts and its declared length. */
    record Element(int tag, String vr, int valueOffset, long declaredLength) {
        boolean undefinedLength() {
            return declaredLength == UNDEFINED_LENGTH;
        }

        int length() {
            return (int) declaredLength;
        }
    }

    /** A position in a little-endian buffer, with checked reads. */
    static final class Cursor {
        final byte[] bytes;
        final int end;
        final boolean explicitVr;
        int pos;

        Cursor(byte[] bytes, int pos, int end, boolean explicitVr) {
            this.bytes = bytes;
            this.pos = pos;
            this.end = end < 0 ? bytes.length : end;
            this.explicitVr = explicitVr;
        }

        int remaining() {
            return end - pos;
        }

        int u16(int at) {
            return (bytes[at] & 0xFF) | (bytes[at + 1] & 0xFF) << 8;
        }

        long u32(int at) {
            return (bytes[at] & 0xFFL) | (bytes[at + 1] & 0xFFL) << 8 | (bytes[at + 2] & 0xFFL) << 16
                    | (bytes[at + 3] & 0xFFL) << 24;
        }

        int tag(int at) {
            return u16(at) << 16 | u16(at + 2);
        }

        /** Reads the element header at {@link #pos}, checking that a defined-length value fits. */
        Element element(String where) {
            return element(where, explicitVr);
        }

        Element element(String where, boolean explicit) {
            if (remaining() < 8) {
                throw DicomRefusal.corrupt("truncated inside an element header in the " + where);
            }
            int tag = tag(pos);
            Element e;
            boolean itemTag = (tag >>> 16) == 0xFFFE;
            if (!explicit || itemTag) {
                e = new Element(tag, null, pos + 8, u32(pos + 4));
            } else {
                char v1 = (char) (bytes[pos + 4] & 0xFF);
                char v2 = (char) (bytes[pos + 5] & 0xFF);
                if (v1 < 'A' || v1 > 'Z' || v2 < 'A' || v2 > 'Z') {
                    throw DicomRefusal.corrupt("element " + tagName(tag) + " in the " + where
                            + " has no valid value representation (is the transfer syntax right?)");
                }
                String vr = "" + v1 + v2;
                if (LONG_VRS.contains(vr)) {
                    if (remaining() < 12) {
                        throw DicomRefusal.corrupt("truncated inside the header of " + tagName(tag));
                    }
                    e = new Element(tag, vr, pos + 12, u32(pos + 8));
                } else {
                    e = new Element(tag, vr, pos + 8, u16(pos + 6));
                }
            }
            if (!e.undefinedLength() && e.declaredLength() > end - e.valueOffset()) {
                throw DicomRefusal.corrupt("element " + tagName(tag) + " declares " + e.declaredLength()
                        + " bytes but only " + (end - e.valueOffset()) + " remain (truncated or inconsistent lengths)");
            }
            return e;
        }
    }

    /** The dataset walk: keeps the attributes of {@link DicomInstance}, skips everything else. */
    private static final class DatasetReader {
        private final Cursor c;
        private final TransferSyntax ts;
        private final DecodeLimits limits;
        private Charset charset = StandardCharsets.ISO_8859_1;
        private String sopClass = "";
        private String sopInstance = "";
        private String study = "";
        private String series = "";
        private String patientId = "";
        private String modality = "";
        private boolean identityRemoved;
        private Integer samplesPerPixel;
        private String photometric;
        private String frames;
        private Integer rows;
        private Integer columns;
        private Integer bitsAllocated;
        private Integer bitsStored;
        private Integer highBit;
        private Integer pixelRepresentation;
        private String windowCenter;
        private String windowWidth;
        private String rescaleIntercept;
        private String rescaleSlope;
        private boolean functionalGroups;

        DatasetReader(Cursor c, TransferSyntax ts, DecodeLimits limits) {
            this.c = c;
            this.ts = ts;
            this.limits = limits;
        }

        DicomInstance read() {
            PixelData pixelData = null;
            while (c.remaining() > 0) {
                Element e = c.element("dataset");
                if ((e.tag >>> 16) == 0xFFFE) {
                    throw DicomRefusal.corrupt("unexpected item tag " + tagName(e.tag) + " at the top level of the dataset");
                }
                if (e.tag == PIXEL_DATA) {
                    pixelData = pixelData(e);
                    break; // what follows the pixels (trailing padding) is of no use
                }
                if (e.undefinedLength()) {
                    boolean sequence = e.vr == null || e.vr.equals("SQ") || e.vr.equals("UN");
                    if (!sequence) {
                        throw DicomRefusal.corrupt("element " + tagName(e.tag) + " (" + e.vr + ") has an undefined length");
                    }
                    if (e.tag == SHARED_FUNCTIONAL_GROUPS || e.tag == PER_FRAME_FUNCTIONAL_GROUPS) {
                        functionalGroups = true;
                    }
                    // UN of undefined length is a sequence encoded in implicit VR (PS3.5 6.2.2).
                    boolean explicit = c.explicitVr && !"UN".equals(e.vr);
                    c.pos = skipSequence(e.valueOffset, explicit, 1);
                    continue;
                }
                keep(e);
                c.pos = e.valueOffset + e.length();
            }
            return instance(pixelData);
        }

        private void keep(Element e) {
            switch (e.tag) {
                case SPECIFIC_CHARACTER_SET -> {
                    String value = DicomText.firstValue(string(e));
                    charset = value.equals("ISO_IR 192") ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1;
                }
                case SOP_CLASS_UID -> sopClass = string(e);
                case SOP_INSTANCE_UID -> sopInstance = string(e);
                case STUDY_INSTANCE_UID -> study = string(e);
                case SERIES_INSTANCE_UID -> series = string(e);
                case PATIENT_ID -> patientId = DicomText.trimmed(c.bytes, e.valueOffset, bounded(e), charset);
                case MODALITY -> modality = string(e);
                case PATIENT_IDENTITY_REMOVED -> identityRemoved = string(e).equals("YES");
                case SAMPLES_PER_PIXEL -> samplesPerPixel = u16(e, "Samples per Pixel");
                case PHOTOMETRIC_INTERPRETATION -> photometric = string(e);
                case NUMBER_OF_FRAMES -> frames = string(e);
                case ROWS -> rows = u16(e, "Rows");
                case COLUMNS -> columns = u16(e, "Columns");
                case BITS_ALLOCATED -> bitsAllocated = u16(e, "Bits Allocated");
                case BITS_STORED -> bitsStored = u16(e, "Bits Stored");
                case HIGH_BIT -> highBit = u16(e, "High Bit");
                case PIXEL_REPRESENTATION -> pixelRepresentation = u16(e, "Pixel Representation");
                case WINDOW_CENTER -> windowCenter = string(e);
                case WINDOW_WIDTH -> windowWidth = string(e);
                case RESCALE_INTERCEPT -> rescaleIntercept = string(e);
                case RESCALE_SLOPE -> rescaleSlope = string(e);
                case SHARED_FUNCTIONAL_GROUPS, PER_FRAME_FUNCTIONAL_GROUPS -> functionalGroups = true;
                default -> {
                    // not needed, and not kept: names, dates, addresses, institution, private tags, ...
                }
            }
        }

        private String string(Element e) {
            return DicomText.ascii(c.bytes, e.valueOffset, bounded(e));
        }

        private int bounded(Element e) {
            if (e.length() > MAX_KEPT_STRING) {
                throw DicomRefusal.corrupt("element " + tagName(e.tag) + " is " + e.length() + " bytes long; at most "
                        + MAX_KEPT_STRING + " expected");
            }
            return e.length();
        }

        private int u16(Element e, String name) {
            if (e.length() != 2) {
                throw DicomRefusal.corrupt(name + " " + tagName(e.tag) + " has " + e.length() + " bytes; 2 expected");
            }
            return c.u16(e.valueOffset);
        }

        /** Skips the items of a sequence of undefined length; returns the position after its delimiter. */
        private int skipSequence(int at, boolean explicit, int depth) {
            if (depth > MAX_NESTING) {
                throw DicomRefusal.corrupt("sequences nested deeper than " + MAX_NESTING + " levels");
            }
            Cursor s = new Cursor(c.bytes, at, c.end, explicit);
            while (true) {
                Element item = s.element("a sequence");
                if (item.tag == SEQUENCE_DELIMITATION) {
                    return item.valueOffset;
                }
                if (item.tag != ITEM) {
                    throw DicomRefusal.corrupt("a sequence holds " + tagName(item.tag) + " where an item was expected");
                }
                s.pos = item.undefinedLength() ? skipItem(item.valueOffset, explicit, depth)
                        : item.valueOffset + item.length();
            }
        }

        /** Skips the elements of an item of undefined length; returns the position after its delimiter. */
        private int skipItem(int at, boolean explicit, int depth) {
            Cursor s = new Cursor(c.bytes, at, c.end, explicit);
            while (true) {
                Element e = s.element("a sequence item");
                if (e.tag == ITEM_DELIMITATION) {
                    return e.valueOffset;
                }
                if (e.undefinedLength()) {
                    s.pos = skipSequence(e.valueOffset, explicit && !"UN".equals(e.vr), depth + 1);
                } else {
                    s.pos = e.valueOffset + e.length();
                }
            }
        }

        private PixelData pixelData(Element e) {
            if (e.vr != null && !e.vr.equals("OB") && !e.vr.equals("OW")) {
                throw DicomRefusal.corrupt("Pixel Data has value representation " + e.vr + "; OB or OW expected");
            }
            if (!e.undefinedLength()) {
                if (ts.encapsulated()) {
                    throw DicomRefusal.corrupt("transfer syntax " + ts + " needs encapsulated pixel data, "
                            + "but Pixel Data has a defined length");
                }
                return new PixelData.Native(c.bytes, e.valueOffset, e.length());
            }
            if (!ts.encapsulated()) {
                throw DicomRefusal.corrupt("Pixel Data is encapsulated (undefined length) in the uncompressed "
                        + "transfer syntax " + ts);
            }
            Cursor s = new Cursor(c.bytes, e.valueOffset, c.end, false);
            List<PixelData.Fragment> fragments = new ArrayList<>();
            boolean offsetTable = true;
            while (true) {
                if (s.remaining() < 8) {
                    throw DicomRefusal.corrupt("encapsulated Pixel Data is truncated (no sequence delimiter)");
                }
                Element item = s.element("encapsulated Pixel Data");
                if (item.tag == SEQUENCE_DELIMITATION) {
                    break;
                }
                if (item.tag != ITEM || item.undefinedLength()) {
                    throw DicomRefusal.corrupt("encapsulated Pixel Data holds " + tagName(item.tag)
                            + " where a fragment of defined length was expected");
                }
                if (!offsetTable) {
                    fragments.add(new PixelData.Fragment(item.valueOffset, item.length()));
                }
                offsetTable = false; // the first item is the basic offset table (possibly empty)
                s.pos = item.valueOffset + item.length();
            }
            if (fragments.isEmpty()) {
                throw DicomRefusal.corrupt("encapsulated Pixel Data holds no fragment");
            }
            return new PixelData.Encapsulated(c.bytes, fragments);
        }

        private DicomInstance instance(PixelData pixelData) {
            if (pixelData == null) {
                throw DicomRefusal.unsupported("no Pixel Data (7FE0,0010): not an image"
                        + (sopClass.isEmpty() ? "" : " (SOP class " + DicomText.printableUid(sopClass) + ")"));
            }
            if (ENHANCED_SOP_CLASSES.contains(sopClass) || functionalGroups) {
                throw DicomRefusal.unsupported("enhanced multi-frame instances (functional groups) are not supported;"
                        + " send one slice per instance (CT Image Storage)");
            }
            int frameCount = frames == null || frames.isBlank() ? 1 : integer(frames, "Number of Frames");
            if (frameCount != 1) {
                throw DicomRefusal.unsupported("multi-frame instance (" + frameCount + " frames) is not supported;"
                        + " send one slice per instance");
            }
            int samples = required(samplesPerPixel, "Samples per Pixel (0028,0002)");
            String interpretation = photometric == null ? "" : photometric;
            if (samples != 1 || !(interpretation.equals(PixelModule.MONOCHROME1)
                    || interpretation.equals(PixelModule.MONOCHROME2))) {
                throw DicomRefusal.unsupported("photometric interpretation '" + DicomText.printableCode(interpretation)
                        + "' with " + samples + " samples per pixel; only MONOCHROME1 and MONOCHROME2 (one sample) are read");
            }
            int height = required(rows, "Rows (0028,0010)");
            int width = required(columns, "Columns (0028,0011)");
            if (height == 0 || width == 0) {
                throw DicomRefusal.corrupt("declares " + width + "x" + height + " pixels");
            }
            if (width > limits.maxWidth() || height > limits.maxHeight() || (long) width * height > limits.maxPixels()) {
                throw DicomRefusal.tooLarge("declares " + width + "x" + height + " pixels; limits are "
                        + limits.maxWidth() + "x" + limits.maxHeight() + " and " + limits.maxPixels() + " pixels in all");
            }
            int allocated = required(bitsAllocated, "Bits Allocated (0028,0100)");
            if (allocated == 1 || allocated == 32 || allocated == 64) {
                throw DicomRefusal.unsupported(allocated + " bits allocated; 8 or 16 are read");
            }
            if (allocated != 8 && allocated != 16) {
                throw DicomRefusal.corrupt("Bits Allocated is " + allocated + "; a multiple of 8 expected (8 or 16)");
            }
            int stored = required(bitsStored, "Bits Stored (0028,0101)");
            if (stored < 1 || stored > allocated) {
                throw DicomRefusal.corrupt("Bits Stored is " + stored + " with " + allocated + " bits allocated");
            }
            int high = highBit == null ? stored - 1 : highBit;
            if (high != stored - 1) {
                throw DicomRefusal.unsupported("High Bit " + high + " with " + stored + " bits stored; only High Bit = "
                        + "Bits Stored - 1 is read");
            }
            int representation = pixelRepresentation == null ? 0 : pixelRepresentation;
            if (representation > 1) {
                throw DicomRefusal.corrupt("Pixel Representation is " + representation + "; 0 or 1 expected");
            }
            boolean hasRescale = rescaleSlope != null || rescaleIntercept != null;
            double slope = rescaleSlope == null ? 1 : decimal(rescaleSlope, "Rescale Slope");
            double intercept = rescaleIntercept == null ? 0 : decimal(rescaleIntercept, "Rescale Intercept");
            if (slope == 0) {
                throw DicomRefusal.corrupt("Rescale Slope is 0");
            }
            PixelModule module = new PixelModule(height, width, interpretation, allocated, stored, representation == 1,
                    slope, intercept, hasRescale, optionalDecimal(windowCenter), optionalDecimal(windowWidth));
            if (pixelData instanceof PixelData.Native n) {
                long expected = module.nativeLength();
                // A value of odd length is padded to even: one byte more is allowed, nothing else.
                if (n.length() < expected || n.length() > expected + (expected % 2)) {
                    throw DicomRefusal.corrupt("Pixel Data holds " + n.length() + " bytes; " + width + "x" + height
                            + " pixels of " + allocated + " bits need " + expected + " (inconsistent lengths)");
                }
            }
            return new DicomInstance(ts, sopClass, sopInstance, study, series, patientId, modality, identityRemoved,
                    module, pixelData);
        }

        private static int required(Integer value, String name) {
            if (value == null) {
                throw DicomRefusal.corrupt(name + " is missing");
            }
            return value;
        }

        private static int integer(String value, String name) {
            try {
                return Integer.parseInt(DicomText.firstValue(value));
            } catch (NumberFormatException e) {
                throw DicomRefusal.corrupt(name + " is not an integer");
            }
        }

        private static double decimal(String value, String name) {
            try {
                double d = Double.parseDouble(DicomText.firstValue(value));
                if (!Double.isFinite(d)) {
                    throw new NumberFormatException();
                }
                return d;
            } catch (NumberFormatException e) {
                throw DicomRefusal.corrupt(name + " is not a finite decimal number");
            }
        }

        private static OptionalDouble optionalDecimal(String value) {
            if (value == null || value.isBlank()) {
                return OptionalDouble.empty();
            }
            try {
                double d = Double.parseDouble(DicomText.firstValue(value));
                return Double.isFinite(d) ? OptionalDouble.of(d) : OptionalDouble.empty();
            } catch (NumberFormatException e) {
                return OptionalDouble.empty(); // a broken display hint: the configured window is used instead
            }
        }
    }
}
