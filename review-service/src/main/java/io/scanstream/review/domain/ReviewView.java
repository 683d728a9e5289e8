package io.scanstream.review.domain;

import io.scanstream.core.contract.ScanLabel;
import io.scanstream.core.contract.ScanPrediction;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The review service's local view of the three topics it reads, bounded: Kafka has no lookup by key, so the
 * service keeps what a worklist needs per scan (about 500 bytes of heap: the prediction's summary, the device, the image's
 * partition and offset, the label) for the newest {@code capacity} predicted scans, in the order their latest
 * prediction was read. The images stay on the topic ({@link ScanImages}).
 *
 * <p>Events of a scan arrive from three topics in any order (a restart reads all three from the beginning): the
 * device and image location of a scan not yet predicted, and a label of a scan not yet predicted, wait in two
 * bounded maps of the same capacity, and join the row when its prediction comes. What falls out of a bound is
 * gone from the view (never from Kafka). One writer (the feeder) and many readers (pages): every method holds
 * the view's lock while it reads or copies rows; a query over 100 000 rows takes milliseconds to tens of
 * milliseconds (measured in docs/review.md).
 */
public final class ReviewView {

    private record Located(String device, ImageLocation image) {
    }

    private final int capacity;
    private final LinkedHashMap<String, ScanRow> rows;
    private final LinkedHashMap<String, Located> waitingImages;
    private final LinkedHashMap<String, RecordedLabel> waitingLabels;
    private long evicted;

    public ReviewView(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
        }
        this.capacity = capacity;
        this.rows = bounded(capacity, true);
        this.waitingImages = bounded(capacity, false);
        this.waitingLabels = bounded(capacity, false);
    }

    public int capacity() {
        return capacity;
    }

    public synchronized int size() {
        return rows.size();
    }

    /** Predicted scans that fell out of the bound since start. */
    public synchronized long evicted() {
        return evicted;
    }

    /** A prediction: the scan becomes (or again becomes) the newest row; the latest prediction of a scan wins. */
    public synchronized void predicted(ScanPrediction p) {
        ScanRow previous = rows.remove(p.scanId());
        Located located = waitingImages.remove(p.scanId());
        RecordedLabel label = waitingLabels.remove(p.scanId());
        String device = located != null ? located.device() : previous != null ? previous.device() : null;
        ImageLocation image = located != null ? located.image() : previous != null ? previous.image() : null;
        if (label == null && previous != null) {
            label = previous.label();
        }
        rows.put(p.scanId(), new ScanRow(p.scanId(), p.label(), p.probability(), p.threshold(), p.modelVersion(),
                p.backbone(), p.acquiredAt(), p.predictedAt(), device, image, label));
    }

    /** The scan's preprocessed record: its device and where its image is. */
    public synchronized void preprocessed(String scanId, String device, ImageLocation image) {
        ScanRow row = rows.get(scanId);
        if (row != null) {
            rows.put(scanId, row.withDevice(device, image));
        } else {
            waitingImages.put(scanId, new Located(device, image));
        }
    }

    /** A label read back from {@code scans.labels}; the latest one read wins. */
    public synchronized void labelled(ScanLabel label) {
        RecordedLabel recorded = new RecordedLabel(label.label(), label.labelledBy(), label.labelledAt());
        ScanRow row = rows.get(label.scanId());
        if (row != null) {
            rows.put(label.scanId(), row.withLabel(recorded));
        } else {
            waitingLabels.put(label.scanId(), recorded);
        }
    }

    public synchronized Optional<ScanRow> row(String scanId) {
        return Optional.ofNullable(rows.get(scanId));
    }

    /** The rows that match, in the query's order, one page of them. */
    public WorklistPage query(WorklistQuery query) {
        List<ScanRow> matched = new ArrayList<>();
        synchronized (this) {
            for (ScanRow row : rows.values()) {
                if (query.matches(row)) {
                    matched.add(row);
                }
            }
        }
        matched.sort(order(query.order()));
        int from = (int) Math.min((long) query.page() * query.size(), matched.size());
        int to = Math.min(from + query.size(), matched.size());
        return new WorklistPage(List.copyOf(matched.subList(from, to)), matched.size(), query);
    }

    /** The row after (or before) {@code scanId} in the query's order, for j/k on the scan page. */
    public Optional<ScanRow> neighbour(WorklistQuery query, String scanId, int step) {
        List<ScanRow> matched = new ArrayList<>();
        synchronized (this) {
            for (ScanRow row : rows.values()) {
                if (query.matches(row)) {
                    matched.add(row);
                }
            }
        }
        matched.sort(order(query.order()));
        for (int i = 0; i < matched.size(); i++) {
            if (matched.get(i).scanId().equals(scanId)) {
                int j = i + step;
                return j >= 0 && j < matched.size() ? Optional.of(matched.get(j)) : Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** The model versions and devices in the view, for the filters' choices. */
    public synchronized Facets facets() {
        SortedSet<String> versions = new TreeSet<>(Comparator.reverseOrder());
        SortedSet<String> devices = new TreeSet<>();
        for (ScanRow row : rows.values()) {
            if (row.modelVersion() != null) {
                versions.add(row.modelVersion());
            }
            if (row.device() != null) {
                devices.add(row.device());
            }
        }
        return new Facets(List.copyOf(versions), List.copyOf(devices));
    }

    public record Facets(List<String> modelVersions, List<String> devices) {
    }

    static Comparator<ScanRow> order(WorklistQuery.Order order) {
        Comparator<ScanRow> newest = Comparator.comparing(ScanRow::predictedAt,
                Comparator.nullsLast(Comparator.reverseOrder()));
        newest = newest.thenComparing(ScanRow::scanId);
        return switch (order) {
            case NEWEST -> newest;
            case UNCERTAIN -> Comparator.comparingDouble(ScanRow::uncertainty).thenComparing(newest);
        };
    }

    private <V> LinkedHashMap<String, V> bounded(int bound, boolean counts) {
        return new LinkedHashMap<>(Math.min(bound, 1 << 16), 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                boolean full = size() > bound;
                if (full && counts) {
                    evicted++;
                }
                return full;
            }
        };
    }
}
