package io.scanstream.learning.report;

import io.scanstream.learning.validation.DataSplit;

import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * What a model was trained and validated on, in counts.
 *
 * @param examples           rows considered
 * @param trainPatients      distinct groups (patients, or patient-less scans) in training
 * @param validationPatients distinct groups in validation; none is in training
 */
public record DataSummary(int examples, int trainSize, int validationSize, int trainCovid, int validationCovid,
                          int trainPatients, int validationPatients) {

    /** Before any split: only the number of rows. */
    public static DataSummary unsplit(int examples) {
        return new DataSummary(examples, 0, 0, 0, 0, 0, 0);
    }

    public static <T> DataSummary of(DataSplit<T> split, Predicate<T> covid, Function<T, String> group) {
        return new DataSummary(split.train().size() + split.validation().size(), split.train().size(),
                split.validation().size(), count(split.train(), covid), count(split.validation(), covid),
                groups(split.train(), group), groups(split.validation(), group));
    }

    private static <T> int count(List<T> rows, Predicate<T> covid) {
        return (int) rows.stream().filter(covid).count();
    }

    private static <T> int groups(List<T> rows, Function<T, String> group) {
        return (int) rows.stream().map(group).distinct().count();
    }
}
