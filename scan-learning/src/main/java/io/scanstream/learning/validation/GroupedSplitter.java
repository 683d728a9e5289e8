package io.scanstream.learning.validation;

import io.scanstream.core.contract.ClinicalLabel;
import io.scanstream.learning.data.LabelledImage;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Splits scans into training and validation so that nothing that leaks between images is on both sides: scans
 * sharing a patient, and scans sharing an origin (the site, study or publication whose images share a style), end
 * up in one <b>group</b> (the connected components of "same patient or same origin"); a scan with neither is a
 * group of its own, and the split says how many such scans there were.
 *
 * <p>Rule: a group goes to validation when the smallest keyed hash ({@code seed}) of its origins' names (of its
 * patients' names when it has no origin) falls below {@code fraction}. A group's side depends only on its own
 * members, never on the size or balance of the rest, so the split is <b>stable as the set grows</b>: a new scan
 * either joins the side of its patient or origin, or forms a group that lands by its own hash; when a new scan
 * links two groups, the merged group can only move <i>into</i> validation (the smallest hash can only fall). The
 * one exception, a patient-only group that gains its first origin, may change sides; correctness never depends on
 * stability: a model is never validated on its own training rows (the split is disjoint) and the gate leaves the
 * champion's training rows out by lineage. Not stratified: with few groups a class may miss a side, which
 * {@link #check} reports.
 */
public final class GroupedSplitter {

    /** What splits group by, per scan: the patient (pseudonym) and the origin, either may be null. */
    public interface Keys<T> {
        String patient(T item);

        String origin(T item);

        String scanId(T item);

        /** Keys read by three accessors of the scan type (method references). */
        static <T> Keys<T> of(java.util.function.Function<T, String> patient,
                              java.util.function.Function<T, String> origin,
                              java.util.function.Function<T, String> scanId) {
            return new Keys<>() {
                @Override
                public String patient(T item) {
                    return patient.apply(item);
                }

                @Override
                public String origin(T item) {
                    return origin.apply(item);
                }

                @Override
                public String scanId(T item) {
                    return scanId.apply(item);
                }
            };
        }
    }

    /** The keys of labelled images: the one rule both training tiers and the offline evaluation split by. */
    public static final Keys<LabelledImage> LABELLED_IMAGES =
            Keys.of(LabelledImage::patient, LabelledImage::origin, LabelledImage::scanId);

    /** The split, with its groups: {@code groupOf} names each scan's group (for group-level resampling). */
    public record Result<T>(DataSplit<T> split, Map<T, String> groupOf, int ungrouped) {

        public long groups(List<T> side) {
            return side.stream().map(groupOf::get).distinct().count();
        }

        /** Distinct groups on a side that hold a scan of the class. */
        public long groups(List<T> side, Function<T, ClinicalLabel> label, ClinicalLabel cls) {
            return side.stream().filter(i -> label.apply(i) == cls).map(groupOf::get).distinct().count();
        }

        /**
         * The validation scans an earlier training already saw (e.g. the lineage of the backbone a head is trained
         * on: its group was on the training side when the backbone was fine-tuned) moved to the training side, so
         * that nothing is validated on a scan any part of the model saw; it may still learn from them.
         */
        public Result<T> seenMovedToTrain(java.util.function.Predicate<T> seen) {
            List<T> moved = split.validation().stream().filter(seen).toList();
            if (moved.isEmpty()) {
                return this;
            }
            List<T> train = new java.util.ArrayList<>(split.train());
            train.addAll(moved);
            List<T> validation = split.validation().stream().filter(seen.negate()).toList();
            return new Result<>(new DataSplit<>(train, validation), groupOf, ungrouped);
        }
    }

    /** The rule in words, for reports and model cards. */
    public static final String RULE = "groups = connected components of scans sharing a patient or an origin (a scan"
            + " with neither is its own group); a group is held out for validation when the smallest keyed hash"
            + " (training.validation.seed) of its origins' names (its patients' without an origin) is below"
            + " training.validation.fraction; never by image; stable as the set grows (a merged group only moves into"
            + " validation); models are never validated or gated on scans in their lineage";

    private final double fraction;
    private final long seed;

    public GroupedSplitter(double fraction, long seed) {
        if (!(fraction >= 0 && fraction < 1)) {
            throw new IllegalArgumentException("validation fraction must be in [0, 1), got " + fraction);
        }
        this.fraction = fraction;
        this.seed = seed;
    }

    public <T> Result<T> split(List<T> items, Keys<T> keys) {
        UnionFind groups = new UnionFind();
        List<List<String>> itemKeys = new ArrayList<>(items.size());
        int ungrouped = 0;
        for (T item : items) {
            List<String> k = new ArrayList<>(2);
            if (keys.patient(item) != null) {
                k.add("patient:" + keys.patient(item));
            }
            if (keys.origin(item) != null) {
                k.add("origin:" + keys.origin(item));
            }
            if (k.isEmpty()) {
                k.add("scan:" + keys.scanId(item));
                ungrouped++;
            }
            k.forEach(groups::add);
            for (int i = 1; i < k.size(); i++) {
                groups.union(k.get(0), k.get(i));
            }
            itemKeys.add(k);
        }
        // A group's side: the smallest hash among its origins, or among its patients when it has no origin (a group
        // typically holds one origin, so each group is held out with probability `fraction` whatever its size).
        Map<String, Double> byOrigin = new HashMap<>();
        Map<String, Double> byOther = new HashMap<>();
        for (String key : groups.keys()) {
            (key.startsWith("origin:") ? byOrigin : byOther).merge(groups.find(key), unit(key), Math::min);
        }
        Map<String, Double> smallestHash = new HashMap<>(byOther);
        smallestHash.putAll(byOrigin);
        List<T> train = new ArrayList<>();
        List<T> validation = new ArrayList<>();
        Map<T, String> groupOf = new LinkedHashMap<>();
        for (int i = 0; i < items.size(); i++) {
            String root = groups.find(itemKeys.get(i).get(0));
            groupOf.put(items.get(i), root);
            (smallestHash.get(root) < fraction ? validation : train).add(items.get(i));
        }
        return new Result<>(new DataSplit<>(train, validation), groupOf, ungrouped);
    }

    /**
     * Why this split cannot train and validate a model, or null when it can: each side needs at least
     * {@code minGroupsPerClass} groups holding each class (scans of one group are not independent evidence).
     */
    public static <T> String check(Result<T> result, Function<T, ClinicalLabel> label, int minGroupsPerClass) {
        List<String> missing = new ArrayList<>();
        for (ClinicalLabel cls : ClinicalLabel.values()) {
            long train = result.groups(result.split().train(), label, cls);
            long validation = result.groups(result.split().validation(), label, cls);
            if (train < minGroupsPerClass) {
                missing.add("training has " + train + " group(s) with " + cls);
            }
            if (validation < minGroupsPerClass) {
                missing.add("validation has " + validation + " group(s) with " + cls);
            }
        }
        if (missing.isEmpty()) {
            return null;
        }
        return String.join(", ", missing) + "; at least " + minGroupsPerClass + " per class and side are needed"
                + " (training.validation.min-groups-per-class): more patients or origins per class are needed"
                + (result.ungrouped() > 0 ? "; " + result.ungrouped() + " scan(s) carry neither patient nor origin"
                + " and count as groups of their own" : "");
    }

    /** A keyed hash of a name as a number in [0, 1): the same name, the same side, across runs and set sizes. */
    private double unit(String key) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(ByteBuffer.allocate(Long.BYTES).putLong(seed).array());
            sha.update(key.getBytes(StandardCharsets.UTF_8));
            long bits = ByteBuffer.wrap(sha.digest()).getLong() >>> 11;
            return bits / (double) (1L << 53);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /** Connected components of keys, by path-halving union-find. */
    private static final class UnionFind {
        private final Map<String, String> parent = new HashMap<>();

        void add(String key) {
            parent.putIfAbsent(key, key);
        }

        String find(String key) {
            String k = key;
            while (!parent.get(k).equals(k)) {
                parent.put(k, parent.get(parent.get(k)));
                k = parent.get(k);
            }
            return k;
        }

        void union(String a, String b) {
            String ra = find(a);
            String rb = find(b);
            if (!ra.equals(rb)) {
                parent.put(ra.compareTo(rb) < 0 ? rb : ra, ra.compareTo(rb) < 0 ? ra : rb);
            }
        }

        Set<String> keys() {
            return new HashSet<>(parent.keySet());
        }
    }
}
