package io.scanstream.core.dicom;

import io.scanstream.core.integrity.Sha256;
import io.scanstream.core.privacy.PatientPseudonymizer;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The keyed pseudonyms of DICOM identifiers, under the same secret as {@link PatientPseudonymizer}:
 * <ul>
 *   <li>PatientID → the existing patient pseudonym ({@code p-} + 32 hex), so a patient has one pseudonym
 *       whether the scan arrived as PNG with {@code ce_subject} or as DICOM;</li>
 *   <li>Study, Series and SOP Instance UIDs → {@code 2.25.} + the first 128 bits of an HMAC-SHA256 as a decimal
 *       number: still a valid DICOM UID (the UUID-derived form of PS3.5 B.2), the same for the same UID, not
 *       reversible or confirmable without the key;</li>
 *   <li>a seal (HMAC over the scan id and the bytes) that marks an instance as de-identified by ingest itself,
 *       so the consumer does not pseudonymise its identifiers a second time. Without the key it cannot be forged.</li>
 * </ul>
 * The three HMAC inputs are prefixed with different labels, so a value of one kind never equals another's. Thread-safe.
 */
public final class DicomPseudonyms {

    private static final String ALGORITHM = "HmacSHA256";

    private final SecretKeySpec key;
    private final PatientPseudonymizer patients;

    public DicomPseudonyms(String secret) {
        this.patients = new PatientPseudonymizer(secret); // validates the key's length
        this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), ALGORITHM);
    }

    public String patient(String patientId) {
        return patients.pseudonymise(patientId);
    }

    public String uid(String uid) {
        byte[] digest = hmac("scanstream/dicom-uid/v1\0" + uid.trim());
        return "2.25." + new BigInteger(1, Arrays.copyOf(digest, 16));
    }

    /** The seal of a de-identified instance published under {@code scanId}. */
    public String seal(String scanId, byte[] bytes) {
        byte[] digest = hmac("scanstream/deidentified/v1\0" + scanId + "\0" + Sha256.hex(bytes));
        return HexFormat.of().formatHex(digest, 0, 16);
    }

    public boolean verify(String scanId, byte[] bytes, String seal) {
        if (seal == null || scanId == null || bytes == null) {
            return false;
        }
        return MessageDigest.isEqual(seal(scanId, bytes).getBytes(StandardCharsets.US_ASCII),
                seal.trim().getBytes(StandardCharsets.US_ASCII));
    }

    /** Whether a string has DICOM UID syntax (digits and dots): a {@code ce_id} that may be a raw instance UID. */
    public static boolean isUid(String s) {
        return DicomText.isUid(s);
    }

    private byte[] hmac(String input) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac.doFinal(input.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is available on every JVM", e);
        }
    }
}
