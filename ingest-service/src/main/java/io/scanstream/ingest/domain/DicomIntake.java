package io.scanstream.ingest.domain;

import io.scanstream.core.contract.Rejection;
import io.scanstream.core.contract.RejectionReason;
import io.scanstream.core.contract.ScanArrived;
import io.scanstream.core.dicom.DicomInstance;
import io.scanstream.core.dicom.DicomPseudonyms;
import io.scanstream.core.dicom.DicomReader;
import io.scanstream.core.dicom.DicomResult;
import io.scanstream.core.imaging.ImageFormat;

import java.util.Optional;

/**
 * What ingest does with a DICOM record before preprocessing: which scan id it has, whether its identifiers are
 * raw or were already pseudonymised by ingest's STOW-RS endpoint, and who the patient is.
 *
 * <p>The scan id of a DICOM scan is the pseudonymised SOP Instance UID. A device on Kafka sends {@code ce_id} =
 * the raw SOP Instance UID (what it knows); any other {@code ce_id} is rejected, since the same instance must get
 * the same id whichever way it comes. A record whose {@code ce_deidentified} seal verifies was published by STOW-RS:
 * its {@code ce_id} and identifiers are pseudonyms already and are taken as they are. Where ingest reports a DICOM
 * record it cannot read, a {@code ce_id} with UID syntax is pseudonymised too (it may be a raw instance UID), so no
 * raw UID reaches {@code scans.rejected}.
 *
 * <p>The patient is the PatientID (0010,0020), pseudonymised as {@code ce_subject} is for other scans; a
 * {@code ce_subject} that names someone else is reported (pseudonymised) but does not win. Without a PatientID,
 * {@code ce_subject} is used.
 */
final class DicomIntake {

    /** The CloudEvents extension attribute that carries the seal of an instance de-identified by ingest. */
    static final String SEAL_HEADER = "ce_deidentified";

    /** A DICOM record ready to be preprocessed, or why not. */
    sealed interface Read permits Ready, Refused {
    }

    /**
     * @param scanId           the pseudonymised SOP Instance UID
     * @param patient          the patient pseudonym, or null
     * @param differingSubject the pseudonym of a {@code ce_subject} that disagreed with PatientID, or null
     * @param contentSha256    sha256 of the pixel data: the same for a raw file and its de-identified copy
     */
    record Ready(DicomInstance instance, String scanId, String patient, String differingSubject,
                 String contentSha256) implements Read {
    }

    record Refused(String scanId, Rejection rejection) implements Read {
    }

    private final IngestPolicy policy;
    private final DicomPseudonyms pseudonyms;

    DicomIntake(IngestPolicy policy, DicomPseudonyms pseudonyms) {
        this.policy = policy;
        this.pseudonyms = pseudonyms;
    }

    /**
     * Whether the record takes the DICOM path: its bytes are DICOM, whatever it declares, or it declares DICOM and
     * the content-type is enforced (then it is refused there, under a pseudonymised id). With a lenient
     * content-type, PNG or JPEG bytes declared as DICOM take the image path: the bytes win.
     */
    boolean takes(ScanArrived arrived) {
        return ImageFormat.sniff(arrived.image()) == ImageFormat.DICOM
                || (policy.strictContentType()
                && ImageFormat.fromMediaType(arrived.contentType()).orElse(null) == ImageFormat.DICOM);
    }

    /** Whether a DICOM record is one ingest's STOW-RS endpoint de-identified (its seal verifies). */
    boolean sealed(ScanArrived arrived, Optional<String> seal) {
        return seal.isPresent() && pseudonyms.verify(arrived.scanId(), arrived.image(), seal.get());
    }

    /** The id under which ingest reports a DICOM record it has not read (yet). */
    String reportedId(ScanArrived arrived, boolean sealed) {
        String ceId = arrived.scanId();
        return !sealed && DicomPseudonyms.isUid(ceId) ? pseudonyms.uid(ceId) : ceId;
    }

    Read read(ScanArrived arrived, boolean sealed) {
        String reported = reportedId(arrived, sealed);
        ImageFormat declared = ImageFormat.fromMediaType(arrived.contentType()).orElse(ImageFormat.UNKNOWN);
        ImageFormat actual = ImageFormat.sniff(arrived.image());
        if (policy.strictContentType() && declared != actual) {
            String what = actual == ImageFormat.UNKNOWN ? "not a known image format" : actual.name();
            return new Refused(reported, Rejection.of(RejectionReason.UNSUPPORTED_FORMAT, "declared content-type "
                    + arrived.contentType() + " but the bytes are " + (actual == ImageFormat.DICOM ? "DICOM" : what)
                    + (declared == ImageFormat.DICOM ? " (not a DICOM Part 10 file: no 'DICM' at byte 128)" : "")
                    + "; fix the device's content-type"));
        }
        DicomResult<DicomInstance> result = DicomReader.read(arrived.image(), policy.limits());
        if (result instanceof DicomResult.Refused<DicomInstance> refused) {
            return new Refused(reported, refused.rejection());
        }
        DicomInstance instance = ((DicomResult.Ok<DicomInstance>) result).value();
        Optional<String> sopInstance = instance.sopInstance();
        if (sopInstance.isEmpty()) {
            return new Refused(reported, Rejection.of(RejectionReason.MISSING_ATTRIBUTE,
                    "DICOM: SOP Instance UID (0008,0018) is missing: it names the scan"));
        }
        if (!sopInstance.get().equals(arrived.scanId())) {
            return new Refused(reported, Rejection.of(RejectionReason.MISSING_ATTRIBUTE, "ce_id of a DICOM scan must be"
                    + " its SOP Instance UID (0008,0018); this ce_id names another instance or none (scan ids of"
                    + " DICOM scans are the pseudonymised SOP Instance UID on every path)"));
        }
        String scanId = sealed ? sopInstance.get() : pseudonyms.uid(sopInstance.get());
        Optional<String> subject = arrived.patient().map(String::trim);
        String patient;
        String differing = null;
        if (sealed) {
            // Already pseudonyms: PatientID and ce_subject were both written by the STOW endpoint.
            patient = instance.patient().orElse(subject.orElse(null));
            if (patient != null && subject.isPresent() && !subject.get().equals(patient)) {
                differing = pseudonyms.patient(subject.get());
            }
        } else if (instance.patient().isPresent()) {
            String patientId = instance.patient().get().trim();
            patient = pseudonyms.patient(patientId);
            if (subject.isPresent() && !subject.get().equals(patientId)) {
                differing = pseudonyms.patient(subject.get());
            }
        } else {
            patient = subject.map(pseudonyms::patient).orElse(null);
        }
        return new Ready(instance, scanId, patient, differing, instance.pixelData().sha256());
    }
}
