package io.scanstream.review.domain;

import io.scanstream.core.imaging.GreyImage;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A small LRU of decoded images in front of the topic read: a radiologist's page asks for the slice, its
 * thumbnail and the saliency of the same scan within seconds. {@code capacity} images of 50 KB each.
 */
public final class ImageCache implements ScanImages {

    private final ScanImages source;
    private final LinkedHashMap<String, GreyImage> images;

    public ImageCache(ScanImages source, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
        }
        this.source = source;
        this.images = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, GreyImage> eldest) {
                return size() > capacity;
            }
        };
    }

    @Override
    public Optional<GreyImage> image(String scanId, ImageLocation location) {
        String key = scanId + "@" + location.partition() + ":" + location.offset();
        synchronized (images) {
            GreyImage cached = images.get(key);
            if (cached != null) {
                return Optional.of(cached);
            }
        }
        Optional<GreyImage> read = source.image(scanId, location);
        read.ifPresent(image -> {
            synchronized (images) {
                images.put(key, image);
            }
        });
        return read;
    }

    public int size() {
        synchronized (images) {
            return images.size();
        }
    }
}
