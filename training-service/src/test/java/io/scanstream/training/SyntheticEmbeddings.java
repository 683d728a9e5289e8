package io.scanstream.training;

import io.scanstream.core.contract.ClinicalLabel;
import io.scanstream.training.domain.TrainingExample;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Embedding-like test data with a fixed seed: patients with a few scans each, one label per patient, and vectors
 * whose first {@code signal} features shift with the class (by {@code separation} standard deviations) in
 * non-negative, ReLU-like features of varied scale. Learnable, not trivially so at small separations.
 */
public final class SyntheticEmbeddings {

    public static final OffsetDateTime LABELLED_AT = OffsetDateTime.parse("2026-11-25T12:00:00Z");

    private SyntheticEmbeddings() {
    }

    public static List<TrainingExample> examples(String prefix, int patients, int scansPerPatient, int dim,
                                                 double separation, String backboneId, long seed) {
        return examples(prefix, prefix, patients, scansPerPatient, dim, separation, backboneId, seed);
    }

    /**
     * @param patientPrefix names the patients; keep it free of per-run randomness where a test needs the
     *                      patient-level split (a hash of the patient id) to be the same on every run
     */
    public static List<TrainingExample> examples(String prefix, String patientPrefix, int patients, int scansPerPatient,
                                                 int dim, double separation, String backboneId, long seed) {
        Random random = new Random(seed);
        List<TrainingExample> rows = new ArrayList<>();
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
                rows.add(new TrainingExample(prefix + "-" + p + "-" + s, covid ? ClinicalLabel.COVID
                        : ClinicalLabel.NON_COVID, "dr-test", LABELLED_AT, patientPrefix + "-patient-" + p, backboneId, v));
            }
        }
        return rows;
    }
}
