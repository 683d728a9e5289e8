package io.scanstream.learning.validation;

import io.scanstream.core.contract.ClinicalLabel;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Splits scans into training and validation <b>by patient</b> (all scans of a patient on one side, never split by
 * image) and <b>stratified</b> by class. Rule, per class (a patient's class is the majority label of its scans,
 * COVID on a tie): order the class's patients by a keyed hash of (seed, patient) and move them to validation in
 * that order until validation holds at least {@code round(fraction × scans of the class)} scans of it; at least one
 * patient when the class has two or more, never all of them.
 *
 * <p>The order depends only on the seed and the patient, not on the other patients: as the training set grows a
 * patient keeps its rank, so validation mostly keeps its patients from run to run, which makes re-scoring the
 * champion on the current validation split (the gate) fair in practice.
 */
public final class PatientSplitter {

    private final double validationFraction;
    private final long seed;

    public PatientSplitter(double validationFraction, long seed) {
        if (!(validationFraction >= 0 && validationFraction < 1)) {
            throw new IllegalArgumentException("validation fraction must be in [0, 1), got " + validationFraction);
        }
        this.validationFraction = validationFraction;
        this.seed = seed;
    }

    public <T> DataSplit<T> split(List<T> items, Function<T, String> patientOf, Function<T, ClinicalLabel> labelOf) {
        Map<String, List<T>> byPatient = new LinkedHashMap<>();
        for (T item : items) {
            byPatient.computeIfAbsent(patientOf.apply(item), p -> new ArrayList<>()).add(item);
        }
        Set<String> validationPatients = new HashSet<>();
        for (ClinicalLabel label : ClinicalLabel.values()) {
            List<String> patients = new ArrayList<>();
            int scans = 0;
            for (Map.Entry<String, List<T>> patient : byPatient.entrySet()) {
                if (majority(patient.getValue(), labelOf) == label) {
                    patients.add(patient.getKey());
                }
                scans += (int) patient.getValue().stream().filter(i -> labelOf.apply(i) == label).count();
            }
            if (patients.size() < 2 || validationFraction == 0) {
                continue;
            }
            patients.sort(Comparator.comparingLong((String p) -> rank(p)).thenComparing(Comparator.naturalOrder()));
            long target = Math.max(1, Math.round(validationFraction * scans));
            int taken = 0;
            for (String patient : patients.subList(0, patients.size() - 1)) {
                if (taken >= target) {
                    break;
                }
                validationPatients.add(patient);
                taken += (int) byPatient.get(patient).stream().filter(i -> labelOf.apply(i) == label).count();
            }
        }
        List<T> train = new ArrayList<>();
        List<T> validation = new ArrayList<>();
        for (T item : items) {
            (validationPatients.contains(patientOf.apply(item)) ? validation : train).add(item);
        }
        return new DataSplit<>(train, validation);
    }

    private static <T> ClinicalLabel majority(List<T> scans, Function<T, ClinicalLabel> labelOf) {
        long covid = scans.stream().filter(s -> labelOf.apply(s) == ClinicalLabel.COVID).count();
        return covid * 2 >= scans.size() ? ClinicalLabel.COVID : ClinicalLabel.NON_COVID;
    }

    /** A keyed hash: stable for a patient across runs, unrelated to its pseudonym's order. */
    private long rank(String patient) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(ByteBuffer.allocate(Long.BYTES).putLong(seed).array());
            sha.update(patient.getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(sha.digest()).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
