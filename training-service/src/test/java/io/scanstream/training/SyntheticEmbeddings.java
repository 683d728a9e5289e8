package io.scanstream.training;

import io.scanstream.training.domain.TrainingExample;

import java.time.OffsetDateTime;
import java.util.List;

/** scan-learning's synthetic embeddings as training-set rows of one backbone, labelled by "dr-test". */
public final class SyntheticEmbeddings {

    public static final OffsetDateTime LABELLED_AT = OffsetDateTime.parse("2026-11-25T12:00:00Z");

    private SyntheticEmbeddings() {
    }

    public static List<TrainingExample> examples(String prefix, int patients, int scansPerPatient, int dim,
                                                 double separation, String backboneId, long seed) {
        return examples(prefix, prefix, patients, scansPerPatient, dim, separation, backboneId, seed);
    }

    /** @param patientPrefix see {@link io.scanstream.learning.SyntheticEmbeddings#rows} */
    public static List<TrainingExample> examples(String prefix, String patientPrefix, int patients, int scansPerPatient,
                                                 int dim, double separation, String backboneId, long seed) {
        return io.scanstream.learning.SyntheticEmbeddings.rows(prefix, patientPrefix, patients, scansPerPatient, dim,
                        separation, seed).stream()
                .map(r -> new TrainingExample(r.scanId(), r.label(), "dr-test", LABELLED_AT, r.patient(), backboneId,
                        r.vector()))
                .toList();
    }
}
