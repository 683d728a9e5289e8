package io.scanstream.core.dicom;

import java.util.Map;
import java.util.Optional;

/**
 * The transfer syntaxes ScanStream reads, and the well-known ones it refuses with a reason. Everything not
 * listed is refused as unknown.
 */
public enum TransferSyntax {
    IMPLICIT_VR_LITTLE_ENDIAN("1.2.840.10008.1.2", false, false, Encoding.NATIVE),
    EXPLICIT_VR_LITTLE_ENDIAN("1.2.840.10008.1.2.1", true, false, Encoding.NATIVE),
    DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN("1.2.840.10008.1.2.1.99", true, true, Encoding.NATIVE),
    /** JPEG baseline (process 1), 8-bit, decoded by the JDK's JPEG reader. */
    JPEG_BASELINE("1.2.840.10008.1.2.4.50", true, false, Encoding.JPEG_BASELINE),
    /** JPEG lossless, non-hierarchical (process 14), any selection value. */
    JPEG_LOSSLESS("1.2.840.10008.1.2.4.57", true, false, Encoding.JPEG_LOSSLESS),
    /** JPEG lossless, process 14, selection value 1: the usual CT compression. */
    JPEG_LOSSLESS_SV1("1.2.840.10008.1.2.4.70", true, false, Encoding.JPEG_LOSSLESS),
    RLE_LOSSLESS("1.2.840.10008.1.2.5", true, false, Encoding.RLE);

    /** How the pixel data element holds the pixels. */
    public enum Encoding { NATIVE, JPEG_BASELINE, JPEG_LOSSLESS, RLE }

    /** Transfer syntaxes that are refused on purpose, with the reason given to the sender. */
    private static final Map<String, String> REFUSED = Map.ofEntries(
            Map.entry("1.2.840.10008.1.2.2", "explicit VR big endian (retired)"),
            Map.entry("1.2.840.10008.1.2.4.51", "JPEG extended (process 2 and 4, 12-bit lossy)"),
            Map.entry("1.2.840.10008.1.2.4.80", "JPEG-LS lossless"),
            Map.entry("1.2.840.10008.1.2.4.81", "JPEG-LS near-lossless"),
            Map.entry("1.2.840.10008.1.2.4.90", "JPEG 2000 lossless"),
            Map.entry("1.2.840.10008.1.2.4.91", "JPEG 2000"),
            Map.entry("1.2.840.10008.1.2.4.92", "JPEG 2000 multi-component lossless"),
            Map.entry("1.2.840.10008.1.2.4.93", "JPEG 2000 multi-component"),
            Map.entry("1.2.840.10008.1.2.4.201", "HTJ2K lossless"),
            Map.entry("1.2.840.10008.1.2.4.202", "HTJ2K lossless RPCL"),
            Map.entry("1.2.840.10008.1.2.4.203", "HTJ2K"),
            Map.entry("1.2.840.10008.1.2.4.100", "MPEG-2 video"),
            Map.entry("1.2.840.10008.1.2.4.102", "MPEG-4 video"),
            Map.entry("1.2.840.10008.1.2.4.110", "JPEG XL lossless"),
            Map.entry("1.2.840.10008.1.2.4.112", "JPEG XL"));

    private final String uid;
    private final boolean explicitVr;
    private final boolean deflated;
    private final Encoding encoding;

    TransferSyntax(String uid, boolean explicitVr, boolean deflated, Encoding encoding) {
        this.uid = uid;
        this.explicitVr = explicitVr;
        this.deflated = deflated;
        this.encoding = encoding;
    }

    public String uid() {
        return uid;
    }

    public boolean explicitVr() {
        return explicitVr;
    }

    public boolean deflated() {
        return deflated;
    }

    public Encoding encoding() {
        return encoding;
    }

    public boolean encapsulated() {
        return encoding != Encoding.NATIVE;
    }

    public static Optional<TransferSyntax> of(String uid) {
        for (TransferSyntax ts : values()) {
            if (ts.uid.equals(uid)) {
                return Optional.of(ts);
            }
        }
        return Optional.empty();
    }

    /** Why a transfer syntax that is not read is refused, in words for the sender. */
    static String refusal(String uid) {
        String known = REFUSED.get(uid);
        String shown = DicomText.printableUid(uid);
        if (known != null) {
            return "transfer syntax " + known + " (" + shown + ") is not supported; send uncompressed, JPEG lossless,"
                    + " RLE lossless or JPEG baseline";
        }
        if (uid.startsWith("1.2.840.10008.1.2.4.")) {
            return "compressed transfer syntax " + shown + " is not supported; send uncompressed, JPEG lossless,"
                    + " RLE lossless or JPEG baseline";
        }
        return "unknown transfer syntax " + shown;
    }
}
