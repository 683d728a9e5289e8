package io.scanstream.review.domain;

import io.scanstream.core.imaging.GreyImage;

import java.util.Optional;

/** Port: the image of a scan, read from where the view says it lies (a {@code scans.preprocessed} record). */
public interface ScanImages {

    /** Empty when the record is gone (compacted, past retention) or is no longer this scan's. */
    Optional<GreyImage> image(String scanId, ImageLocation location);
}
