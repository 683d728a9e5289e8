package io.scanstream.learning.report;

import io.scanstream.learning.validation.DataSplit;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * What a model was trained and validated on, in counts.
 *
 * @param examples           rows considered
 * @param trainGroups        distinct groups (patients joined with origins, or scans with neither) in training
 * @param validationGroups   distinct groups in validation; none is in training
 * @param bySource           counts per origin (site, study, publication; "(none)" for scans without one)
 */
public record DataSummary(int examples, int trainSize, int validationSize, int trainCovid, int validationCovid,
                          int trainGroups, int validationGroups, List<SourceCounts> bySource) {

    /** One origin's scans on each side, by class. */
    public record SourceCounts(String source, int trainCovid, int trainNonCovid, int validationCovid,
                               int validationNonCovid) {
    }

    /** Before any split: only the number of rows. */
    public static DataSummary unsplit(int examples) {
        return new DataSummary(examples, 0, 0, 0, 0, 0, 0, List.of());
    }

    public static <T> DataSummary of(DataSplit<T> split, Predicate<T> covid, Function<T, String> group) {
        return of(split, covid, group, item -> null);
    }

    public static <T> DataSummary of(DataSplit<T> split, Predicate<T> covid, Function<T, String> group,
                                     Function<T, String> source) {
        Map<String, int[]> counts = new TreeMap<>();
        for (T item : split.train()) {
            counts.computeIfAbsent(name(source.apply(item)), s -> new int[4])[covid.test(item) ? 0 : 1]++;
        }
        for (T item : split.validation()) {
            counts.computeIfAbsent(name(source.apply(item)), s -> new int[4])[covid.test(item) ? 2 : 3]++;
        }
        List<SourceCounts> bySource = counts.entrySet().stream().map(e -> new SourceCounts(e.getKey(),
                e.getValue()[0], e.getValue()[1], e.getValue()[2], e.getValue()[3])).toList();
        return new DataSummary(split.train().size() + split.validation().size(), split.train().size(),
                split.validation().size(), count(split.train(), covid), count(split.validation(), covid),
                groups(split.train(), group), groups(split.validation(), group), bySource);
    }

    private static String name(String source) {
        return source == null ? "(none)" : source;
    }

    private static <T> int count(List<T> rows, Predicate<T> covid) {
        return (int) rows.stream().filter(covid).count();
    }

    private static <T> int groups(List<T> rows, Function<T, String> group) {
        return (int) rows.stream().map(group).distinct().count();
    }
}
