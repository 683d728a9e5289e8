package io.scanstream.core.dataset;

import io.scanstream.core.contract.ClinicalLabel;

import java.nio.file.Path;

/**
 * One image of a labelled data set on disk.
 *
 * @param file      the image file (absolute, resolved against the data set folder; never URL-decoded)
 * @param label     ground truth
 * @param patientId the patient or source id: splits are made by it, never by image
 * @param split     the official split ({@code train}, {@code val}, ...)
 * @param width     width in pixels, as the manifest states
 * @param height    height in pixels, as the manifest states
 * @param bytes     file size, as the manifest states
 */
public record ManifestEntry(Path file, ClinicalLabel label, String patientId, String split, int width, int height,
                            long bytes) {

    /**
     * The origin of the image, what its images share beyond the patient: the preprint it was cut from
     * ({@link Preprints}), else its {@code patient_or_source_id}. The local stack's replay sends it as
     * {@code ce_origin}; the evaluation's folds group by it.
     */
    public String origin() {
        return Preprints.of(file.getFileName().toString())
                .orElseGet(() -> "source:" + patientId.replaceAll("[^A-Za-z0-9._:/-]", "_"));
    }
}
