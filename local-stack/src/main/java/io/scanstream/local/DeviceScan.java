package io.scanstream.local;

import io.scanstream.core.contract.ClinicalLabel;

/**
 * A scan the simulated device sends, with the ground truth only the simulation knows (null for damaged scans).
 *
 * @param scanId  the id ScanStream will give the scan (predictions and labels use it)
 * @param eventId the {@code ce_id} the device sends: the scan id, except for DICOM, where the device sends the raw
 *                SOP Instance UID and ScanStream's scan id is its pseudonym
 * @param origin  the replay's source (a preprint or the manifest's source id) sent as {@code ce_origin}; null for
 *                synthetic scans
 */
record DeviceScan(String scanId, String eventId, String patientRef, ClinicalLabel truth, String contentType,
                  byte[] bytes, String origin) {

    DeviceScan(String scanId, String patientRef, ClinicalLabel truth, String contentType, byte[] bytes,
               String origin) {
        this(scanId, scanId, patientRef, truth, contentType, bytes, origin);
    }
}
