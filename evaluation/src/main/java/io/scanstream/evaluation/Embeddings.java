package io.scanstream.evaluation;

import io.scanstream.core.imaging.AntialiasedResizer;
import io.scanstream.core.imaging.GreyImage;
import io.scanstream.learning.data.LabelledImage;
import io.scanstream.learning.data.LabelledVectors;
import io.scanstream.model.backbone.FeatureExtractor;
import io.scanstream.model.metrics.BinaryMetrics;

import java.util.List;

/** Images through a frozen backbone, and the small conversions the experiments share. */
public final class Embeddings {

    /** Every batch padded to this size: one input shape for libtorch. */
    private static final int BATCH = 16;

    private Embeddings() {
    }

    public static float[][] of(FeatureExtractor backbone, List<LabelledImage> images) {
        float[][] out = new float[images.size()][];
        for (int from = 0; from < images.size(); from += BATCH) {
            int size = Math.min(BATCH, images.size() - from);
            List<GreyImage> chunk = images.subList(from, from + size).stream().map(LabelledImage::image).toList();
            float[][] features = backbone.embed(chunk, BATCH);
            System.arraycopy(features, 0, out, from, size);
        }
        return out;
    }

    public static LabelledVectors vectors(float[][] x, List<LabelledImage> images) {
        return new LabelledVectors(x, labels(images));
    }

    public static boolean[] labels(List<LabelledImage> images) {
        boolean[] covid = new boolean[images.size()];
        for (int i = 0; i < covid.length; i++) {
            covid[i] = images.get(i).covid();
        }
        return covid;
    }

    public static List<LabelledImage> resized(List<LabelledImage> images, int size) {
        return images.stream().map(i -> i.image().width() == size ? i
                : i.withImage(AntialiasedResizer.resize(i.image(), size, size))).toList();
    }

    public static double accuracyAtHalf(double[] scores, boolean[] covid) {
        return BinaryMetrics.accuracy(BinaryMetrics.confusion(scores, covid, 0.5));
    }
}
