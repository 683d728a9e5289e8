package io.scanstream.learning;

import io.scanstream.core.contract.ClinicalLabel;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Embedding-like test data with a fixed seed: patients with a few scans each, one label per patient, and vectors
 * whose first {@code signal} features shift with the class (by {@code separation} standard deviations) in
 * non-negative, ReLU-like features of varied scale. Learnable, not trivially so at small separations. Shared with
 * the training service's tests (scan-learning's test jar).
 */
public final class SyntheticEmbeddings {

    /** One labelled embedding. */
    public record Row(String scanId, ClinicalLabel label, String patient, float[] vector) {

        /** The patient, or the scan itself when the patient is unknown. */
        public String splitKey() {
            return patient != null ? patient : "scan:" + scanId;
        }

        public boolean covid() {
            return label == ClinicalLabel.COVID;
        }
    }

    private SyntheticEmbeddings() {
    }

    public static List<Row> rows(String prefix, int patients, int scansPerPatient, int dim, double separation,
                                 long seed) {
        return rows(prefix, prefix, patients, scansPerPatient, dim, separation, seed);
    }

    /**
     * @param patientPrefix names the patients; keep it free of per-run randomness where a test needs the
     *                      patient-level split (a hash of the patient id) to be the same on every run
     */
    public static List<Row> rows(String prefix, String patientPrefix, int patients, int scansPerPatient, int dim,
                                 double separation, long seed) {
        Random random = new Random(seed);
        List<Row> rows = new ArrayList<>();
        int signal = Math.max(1, dim / 4);
        for (int p = 0; p < patients; p++) {
            boolean covid = random.nextBoolean();
            for (int s = 0; s < scansPerPatient; s++) {
                float[] v = new float[dim];
                for (int j = 0; j < dim; j++) {
                    double scale = 1 + j % 5;
                    double value = random.nextGaussian() + (covid && j < signal ? separation : 0);
                    v[j] = (float) (Math.max(0, value + 1.5) * scale);
                }
                rows.add(new Row(prefix + "-" + p + "-" + s, covid ? ClinicalLabel.COVID : ClinicalLabel.NON_COVID,
                        patientPrefix + "-patient-" + p, v));
            }
        }
        return rows;
    }
}
