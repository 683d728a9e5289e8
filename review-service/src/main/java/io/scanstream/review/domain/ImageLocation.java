package io.scanstream.review.domain;

/**
 * Where a scan's image lies: the partition and offset of its {@code scans.preprocessed} record. The view keeps
 * these 12 bytes per scan instead of the 50 KB image; {@link ScanImages} reads the record when a page needs it.
 */
public record ImageLocation(int partition, long offset) {

    public ImageLocation {
        if (partition < 0 || offset < 0) {
            throw new IllegalArgumentException("partition and offset must be >= 0, got " + partition + "/" + offset);
        }
    }
}
