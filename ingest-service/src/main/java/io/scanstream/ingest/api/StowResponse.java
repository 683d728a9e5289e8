package io.scanstream.ingest.api;

import io.scanstream.core.contract.RejectionReason;
import io.scanstream.ingest.domain.StowIntake;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The STOW-RS response (DICOM PS3.18 10.5.3, Store Instances Response Module) in the DICOM JSON model:
 * Referenced SOP Sequence (0008,1199) for the instances taken, Failed SOP Sequence (0008,1198) with a Failure
 * Reason (0008,1197) for the others. Each item also carries, in ScanStream's private block (0009,00xx, creator
 * {@code SCANSTREAM}), the scan id the instance will have on every topic (0009,1001), or the rejection reason
 * (0009,1002) and its detail (0009,1003). HTTP status: 200 when every instance was taken, 202 when some were,
 * 409 when none was.
 */
final class StowResponse {

    static final String MEDIA_TYPE = "application/dicom+json";
    static final String PRIVATE_CREATOR = "SCANSTREAM";

    /** Failure Reason codes (PS3.4 Annex C status codes, as PS3.18 uses them). */
    static int failureReason(RejectionReason reason, String detail) {
        return switch (reason) {
            case UNSUPPORTED_FORMAT -> detail.contains("transfer syntax") ? 0xC122 : 0x0122; // TS / SOP class not supported
            case TOO_LARGE -> 0xA700; // out of resources
            case MISSING_ATTRIBUTE -> 0xA900; // data set does not match SOP class
            case INTERNAL -> 0x0110; // processing failure
            default -> 0xC000; // cannot understand
        };
    }

    private final List<StowIntake.Outcome> outcomes;

    StowResponse(List<StowIntake.Outcome> outcomes) {
        this.outcomes = List.copyOf(outcomes);
    }

    int status() {
        long stored = outcomes.stream().filter(o -> o instanceof StowIntake.Stored).count();
        if (stored == outcomes.size()) {
            return 200;
        }
        return stored == 0 ? 409 : 202;
    }

    Map<String, Object> toDicomJson() {
        List<Map<String, Object>> referenced = new ArrayList<>();
        List<Map<String, Object>> failed = new ArrayList<>();
        for (StowIntake.Outcome outcome : outcomes) {
            Map<String, Object> item = new LinkedHashMap<>();
            if (!outcome.sopClassUid().isEmpty()) {
                item.put("00081150", attribute("UI", outcome.sopClassUid()));
            }
            if (!outcome.sopInstanceUid().isEmpty()) {
                item.put("00081155", attribute("UI", outcome.sopInstanceUid()));
            }
            item.put("00090010", attribute("LO", PRIVATE_CREATOR));
            if (outcome instanceof StowIntake.Stored stored) {
                item.put("00091001", attribute("UI", stored.scanId()));
                referenced.add(item);
            } else {
                StowIntake.Failed f = (StowIntake.Failed) outcome;
                item.put("00081197", attribute("US", failureReason(f.rejection().reason(), f.rejection().detail())));
                item.put("00091002", attribute("CS", f.rejection().reason().name()));
                item.put("00091003", attribute("LT", f.rejection().detail()));
                failed.add(item);
            }
        }
        Map<String, Object> json = new LinkedHashMap<>();
        if (!failed.isEmpty()) {
            json.put("00081198", sequence(failed));
        }
        if (!referenced.isEmpty()) {
            json.put("00081199", sequence(referenced));
        }
        return json;
    }

    private static Map<String, Object> attribute(String vr, Object value) {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("vr", vr);
        a.put("Value", List.of(value));
        return a;
    }

    private static Map<String, Object> sequence(List<Map<String, Object>> items) {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("vr", "SQ");
        a.put("Value", items);
        return a;
    }
}
