package io.scanstream.core.dicom;

import io.scanstream.core.imaging.GreyImage;
import io.scanstream.core.integrity.Sha256;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * CT slices as a scanner would send them, made from a grey image (a synthetic phantom or a real PNG slice): CT
 * Image Storage, 16-bit signed stored values, Rescale Intercept -1024, the Hounsfield units chosen by inverting a
 * window (the lung window by default), so that a reader windowing them with the same window sees exactly the grey
 * image again: the DICOM and the PNG of one slice give the same tensor. The file carries the patient attributes a
 * real one does (name, birth date, sex, accession number, institution), for de-identification to remove.
 */
public final class SyntheticDicom {

    public static final String CT_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.2";
    public static final int RESCALE_INTERCEPT = -1024;

    /** How the pixel data is encoded. */
    public enum Compression {
        NONE(TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN),
        JPEG_LOSSLESS(TransferSyntax.JPEG_LOSSLESS_SV1),
        RLE(TransferSyntax.RLE_LOSSLESS);

        private final TransferSyntax transferSyntax;

        Compression(TransferSyntax transferSyntax) {
            this.transferSyntax = transferSyntax;
        }

        public TransferSyntax transferSyntax() {
            return transferSyntax;
        }
    }

    /** The identifiers of a slice, raw (as the scanner assigns them). */
    public record Identifiers(String patientId, String studyUid, String seriesUid, String sopInstanceUid) {

        /** Deterministic identifiers: one study and series per patient, one instance per slice key. */
        public static Identifiers of(String patientId, String sliceKey) {
            return new Identifiers(patientId, uidFrom("study/" + patientId), uidFrom("series/" + patientId),
                    uidFrom("instance/" + patientId + "/" + sliceKey));
        }
    }

    private SyntheticDicom() {
    }

    public static byte[] ctSlice(GreyImage image, Identifiers ids, Compression compression) {
        return ctSlice(image, ids, compression, HounsfieldWindow.LUNG);
    }

    public static byte[] ctSlice(GreyImage image, Identifiers ids, Compression compression, HounsfieldWindow window) {
        return ctSliceWriter(image, ids, compression, window).toBytes();
    }

    /** The writer of {@link #ctSlice}, for callers (tests) that change an attribute before writing. */
    public static DicomWriter ctSliceWriter(GreyImage image, Identifiers ids, Compression compression,
                                            HounsfieldWindow window) {
        int[] storedForGrey = new int[256];
        for (int g = 0; g < 256; g++) {
            storedForGrey[g] = window.valueFor(g) - RESCALE_INTERCEPT;
        }
        byte[] pixels = image.pixels();
        short[] samples = new short[pixels.length];
        for (int i = 0; i < pixels.length; i++) {
            samples[i] = (short) storedForGrey[pixels[i] & 0xFF];
        }
        DicomWriter w = new DicomWriter(compression.transferSyntax())
                .string(DicomTag.SOP_CLASS_UID, "UI", CT_IMAGE_STORAGE)
                .string(DicomTag.SOP_INSTANCE_UID, "UI", ids.sopInstanceUid())
                .string(DicomTag.STUDY_DATE, "DA", "20261125")
                .string(DicomTag.ACCESSION_NUMBER, "SH", "ACC" + Math.abs(ids.sopInstanceUid().hashCode() % 100000))
                .string(DicomTag.MODALITY, "CS", "CT")
                .string(DicomTag.INSTITUTION_NAME, "LO", "Synthetic General Hospital")
                .string(DicomTag.PATIENT_NAME, "PN", "Phantom^" + ids.patientId())
                .string(DicomTag.PATIENT_ID, "LO", ids.patientId())
                .string(DicomTag.PATIENT_BIRTH_DATE, "DA", "19700101")
                .string(DicomTag.PATIENT_SEX, "CS", "O")
                .string(DicomTag.STUDY_INSTANCE_UID, "UI", ids.studyUid())
                .string(DicomTag.SERIES_INSTANCE_UID, "UI", ids.seriesUid())
                .uint16(DicomTag.SAMPLES_PER_PIXEL, 1)
                .string(DicomTag.PHOTOMETRIC_INTERPRETATION, "CS", PixelModule.MONOCHROME2)
                .uint16(DicomTag.ROWS, image.height())
                .uint16(DicomTag.COLUMNS, image.width())
                .uint16(DicomTag.BITS_ALLOCATED, 16)
                .uint16(DicomTag.BITS_STORED, 16)
                .uint16(DicomTag.HIGH_BIT, 15)
                .uint16(DicomTag.PIXEL_REPRESENTATION, 1)
                .decimal(DicomTag.WINDOW_CENTER, window.center())
                .decimal(DicomTag.WINDOW_WIDTH, window.width())
                .decimal(DicomTag.RESCALE_INTERCEPT, RESCALE_INTERCEPT)
                .decimal(DicomTag.RESCALE_SLOPE, 1)
                .string(DicomTag.RESCALE_TYPE, "LO", "HU");
        switch (compression) {
            case NONE -> w.nativePixelData(littleEndian(samples), 16);
            case JPEG_LOSSLESS -> w.encapsulatedPixelData(List.of(
                    JpegLosslessEncoder.encode(samples, image.width(), image.height(), 16, 1)));
            case RLE -> w.encapsulatedPixelData(List.of(RleEncoder.encode(samples, 16)));
        }
        return w;
    }

    /** A UID under the 2.25 root from a string, deterministic. */
    public static String uidFrom(String seed) {
        byte[] digest = Sha256.digest(seed.getBytes(StandardCharsets.UTF_8));
        return "2.25." + new BigInteger(1, Arrays.copyOf(digest, 16));
    }

    static byte[] littleEndian(short[] samples) {
        byte[] out = new byte[samples.length * 2];
        for (int i = 0; i < samples.length; i++) {
            out[2 * i] = (byte) samples[i];
            out[2 * i + 1] = (byte) (samples[i] >> 8);
        }
        return out;
    }
}
