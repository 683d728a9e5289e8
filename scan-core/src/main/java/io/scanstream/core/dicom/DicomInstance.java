package io.scanstream.core.dicom;

import java.util.Optional;

/**
 * One parsed DICOM Part 10 instance: the attributes ScanStream uses and where its pixels are. Everything else
 * in the file (names, dates, addresses, institution, accession number, private tags) is skipped by the reader and
 * never held. {@link #toString()} shows no identifier.
 *
 * @param transferSyntax          the file's transfer syntax
 * @param sopClassUid             (0008,0016), or empty
 * @param sopInstanceUid          (0008,0018), or empty: identifies the instance (the scan)
 * @param studyInstanceUid        (0020,000D), or empty
 * @param seriesInstanceUid       (0020,000E), or empty
 * @param patientId               (0010,0020), or empty: the raw patient id; only ever leaves ingest pseudonymised
 * @param modality                (0008,0060), or empty
 * @param patientIdentityRemoved  (0012,0062) is {@code YES}
 * @param pixels                  the checked pixel description
 * @param pixelData               the pixel data's location
 */
public record DicomInstance(TransferSyntax transferSyntax, String sopClassUid, String sopInstanceUid,
                            String studyInstanceUid, String seriesInstanceUid, String patientId, String modality,
                            boolean patientIdentityRemoved, PixelModule pixels, PixelData pixelData) {

    public Optional<String> sopInstance() {
        return nonEmpty(sopInstanceUid);
    }

    public Optional<String> patient() {
        return nonEmpty(patientId);
    }

    private static Optional<String> nonEmpty(String s) {
        return s == null || s.isBlank() ? Optional.empty() : Optional.of(s);
    }

    @Override
    public String toString() {
        return "DicomInstance[" + transferSyntax + ", modality=" + modality + ", " + pixels.columns() + "x"
                + pixels.rows() + " " + pixels.bitsStored() + "/" + pixels.bitsAllocated() + " bits "
                + (pixels.signed() ? "signed " : "") + pixels.photometric() + ", " + pixelData + "]";
    }
}
