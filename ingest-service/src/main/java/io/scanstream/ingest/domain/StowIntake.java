package io.scanstream.ingest.domain;

import io.scanstream.core.contract.Rejection;
import io.scanstream.core.contract.RejectionReason;
import io.scanstream.core.dicom.DicomDeidentifier;
import io.scanstream.core.dicom.DicomInstance;
import io.scanstream.core.dicom.DicomPseudonyms;
import io.scanstream.core.dicom.DicomReader;
import io.scanstream.core.dicom.DicomResult;
import io.scanstream.core.imaging.DecodeLimits;

/**
 * The plain-Java side of DICOMweb STOW-RS: each instance of a request is read (every check the reader makes:
 * transfer syntax, photometric interpretation, dimensions, lengths) and de-identified before anything is
 * published, so the response can say at once which instances were taken and which were not. What is published is
 * the de-identified copy ({@link DicomDeidentifier}), sealed so that the consumer takes its pseudonyms as they are.
 * Decoding the pixels is left to the consumer: damage found there arrives as a rejection on the topic.
 */
public final class StowIntake {

    /** What became of one instance of a request. */
    public sealed interface Outcome permits Stored, Failed {
        /** SOP Class UID, or empty when the part could not be read that far. */
        String sopClassUid();

        /** The SOP Instance UID as the sender sent it (echoed to the sender only), or empty. */
        String sopInstanceUid();
    }

    /**
     * @param scanId  the pseudonymised SOP Instance UID: the scan id on every topic
     * @param patient the patient pseudonym, or null
     * @param bytes   the de-identified instance to publish
     * @param seal    {@code ce_deidentified}: vouches that ingest de-identified these bytes under this id
     */
    public record Stored(String sopClassUid, String sopInstanceUid, String scanId, String patient, byte[] bytes,
                         String seal) implements Outcome {
        @Override
        public String toString() {
            return "Stored[" + scanId + ", " + bytes.length + " bytes]";
        }
    }

    public record Failed(String sopClassUid, String sopInstanceUid, Rejection rejection) implements Outcome {
    }

    /** The CloudEvents extension attribute (Kafka header) that carries the seal. */
    public static final String SEAL_HEADER = DicomIntake.SEAL_HEADER;

    private final DecodeLimits limits;
    private final DicomPseudonyms pseudonyms;
    private final DicomDeidentifier deidentifier;

    public StowIntake(DecodeLimits limits, String pseudonymisationKey) {
        this.limits = limits;
        this.pseudonyms = new DicomPseudonyms(pseudonymisationKey);
        this.deidentifier = new DicomDeidentifier(pseudonyms);
    }

    public Outcome accept(byte[] part) {
        DicomResult<DicomInstance> read = DicomReader.read(part, limits);
        if (read instanceof DicomResult.Refused<DicomInstance> refused) {
            return new Failed("", "", refused.rejection());
        }
        DicomInstance instance = ((DicomResult.Ok<DicomInstance>) read).value();
        DicomResult<DicomDeidentifier.Deidentified> copy = deidentifier.deidentify(instance);
        if (copy instanceof DicomResult.Refused<DicomDeidentifier.Deidentified> refused) {
            return new Failed(instance.sopClassUid(), "", refused.rejection());
        }
        DicomDeidentifier.Deidentified d = ((DicomResult.Ok<DicomDeidentifier.Deidentified>) copy).value();
        if (d.bytes().length > limits.maxBytes()) {
            // The copy is smaller than the file it came from, except for an odd pixel count padded to even.
            return new Failed(instance.sopClassUid(), instance.sopInstanceUid(), Rejection.of(RejectionReason.TOO_LARGE,
                    "the de-identified instance exceeds the limit of " + limits.maxBytes() + " bytes"));
        }
        return new Stored(instance.sopClassUid(), instance.sopInstanceUid(), d.scanId(), d.patientPseudonym(),
                d.bytes(), pseudonyms.seal(d.scanId(), d.bytes()));
    }

    /** A part that is not {@code application/dicom}. */
    public static Failed notDicom(String mediaType) {
        return new Failed("", "", Rejection.of(RejectionReason.UNSUPPORTED_FORMAT,
                "part of type " + mediaType + "; STOW-RS here takes application/dicom parts"));
    }
}
