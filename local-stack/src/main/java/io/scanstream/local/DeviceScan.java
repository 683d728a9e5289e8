package io.scanstream.local;

import io.scanstream.core.contract.ClinicalLabel;

/**
 * A scan the simulated device sends, with the ground truth only the simulation knows (null for damaged scans) and
 * its origin (the replay's source: a preprint or the manifest's source id; null for synthetic scans).
 */
record DeviceScan(String scanId, String patientRef, ClinicalLabel truth, String contentType, byte[] bytes,
                  String origin) {
}
