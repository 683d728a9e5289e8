package io.scanstream.core.dicom;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Makes the de-identified copy of an instance that ingest's STOW-RS endpoint publishes instead of the file it was
 * sent: a new Part 10 file holding only what preprocessing needs, identifiers pseudonymised.
 *
 * <p>What the copy holds (an allow-list, nothing else is carried over): SOP Class UID, Modality; SOP Instance,
 * Study Instance and Series Instance UIDs pseudonymised ({@link DicomPseudonyms#uid}); Patient ID pseudonymised
 * ({@link DicomPseudonyms#patient}, empty when the file had none); Patient Identity Removed {@code YES} and
 * De-identification Method; the image pixel description (Samples per Pixel, Photometric Interpretation, Rows,
 * Columns, Bits Allocated/Stored, High Bit, Pixel Representation), Rescale Intercept/Slope and Window
 * Center/Width (the first values) when present; the pixel data, byte for byte (native pixels re-encoded in explicit
 * VR little endian, compressed fragments unchanged). Names, birth date, sex, address, accession number,
 * institution, dates, times, device serials, private tags and every sequence are left behind. Burned-in text in
 * the pixels themselves is not detected.
 */
public final class DicomDeidentifier {

    /** De-identification Method (0012,0063) written into every copy (a LO: at most 64 characters). */
    public static final String METHOD = "SCANSTREAM KEYED PSEUDONYMS V1 ALLOW-LIST";

    /**
     * @param scanId           the pseudonymised SOP Instance UID: the scan id
     * @param patientPseudonym the pseudonymised PatientID, or null when the file had none
     * @param bytes            the de-identified Part 10 file
     */
    public record Deidentified(String scanId, String patientPseudonym, byte[] bytes) {
        @Override
        public String toString() {
            return "Deidentified[" + scanId + ", " + bytes.length + " bytes]";
        }
    }

    private final DicomPseudonyms pseudonyms;

    public DicomDeidentifier(DicomPseudonyms pseudonyms) {
        this.pseudonyms = pseudonyms;
    }

    public DicomResult<Deidentified> deidentify(DicomInstance instance) {
        return DicomResult.of(() -> deidentifyOrRefuse(instance));
    }

    private Deidentified deidentifyOrRefuse(DicomInstance instance) {
        String sopInstance = instance.sopInstance()
                .orElseThrow(() -> DicomRefusal.missing("SOP Instance UID (0008,0018) is missing: it names the scan"));
        String scanId = pseudonyms.uid(sopInstance);
        String patient = instance.patient().map(pseudonyms::patient).orElse(null);
        PixelModule m = instance.pixels();
        TransferSyntax ts = instance.transferSyntax().encapsulated()
                ? instance.transferSyntax() : TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN;
        DicomWriter w = new DicomWriter(ts);
        if (!instance.sopClassUid().isEmpty()) {
            w.string(DicomTag.SOP_CLASS_UID, "UI", instance.sopClassUid());
        }
        w.string(DicomTag.SOP_INSTANCE_UID, "UI", scanId);
        if (!instance.modality().isEmpty()) {
            w.string(DicomTag.MODALITY, "CS", instance.modality());
        }
        w.string(DicomTag.PATIENT_ID, "LO", patient == null ? "" : patient);
        w.string(DicomTag.PATIENT_IDENTITY_REMOVED, "CS", "YES");
        w.string(DicomTag.DEIDENTIFICATION_METHOD, "LO", METHOD);
        if (!instance.studyInstanceUid().isEmpty()) {
            w.string(DicomTag.STUDY_INSTANCE_UID, "UI", pseudonyms.uid(instance.studyInstanceUid()));
        }
        if (!instance.seriesInstanceUid().isEmpty()) {
            w.string(DicomTag.SERIES_INSTANCE_UID, "UI", pseudonyms.uid(instance.seriesInstanceUid()));
        }
        w.uint16(DicomTag.SAMPLES_PER_PIXEL, 1);
        w.string(DicomTag.PHOTOMETRIC_INTERPRETATION, "CS", m.photometric());
        w.uint16(DicomTag.ROWS, m.rows());
        w.uint16(DicomTag.COLUMNS, m.columns());
        w.uint16(DicomTag.BITS_ALLOCATED, m.bitsAllocated());
        w.uint16(DicomTag.BITS_STORED, m.bitsStored());
        w.uint16(DicomTag.HIGH_BIT, m.bitsStored() - 1);
        w.uint16(DicomTag.PIXEL_REPRESENTATION, m.signed() ? 1 : 0);
        if (m.windowCenter().isPresent() && m.windowWidth().isPresent()) {
            w.decimal(DicomTag.WINDOW_CENTER, m.windowCenter().getAsDouble());
            w.decimal(DicomTag.WINDOW_WIDTH, m.windowWidth().getAsDouble());
        }
        if (m.hasRescale()) {
            w.decimal(DicomTag.RESCALE_INTERCEPT, m.rescaleIntercept());
            w.decimal(DicomTag.RESCALE_SLOPE, m.rescaleSlope());
        }
        if (instance.pixelData() instanceof PixelData.Native n) {
            w.nativePixelData(Arrays.copyOfRange(n.buffer(), n.offset(), n.offset() + n.length()), m.bitsAllocated());
        } else {
            PixelData.Encapsulated e = (PixelData.Encapsulated) instance.pixelData();
            List<byte[]> fragments = new ArrayList<>();
            for (PixelData.Fragment f : e.fragments()) {
                fragments.add(Arrays.copyOfRange(e.buffer(), f.offset(), f.offset() + f.length()));
            }
            w.encapsulatedPixelData(fragments);
        }
        return new Deidentified(scanId, patient, w.toBytes());
    }
}
