package io.scanstream.model.explain;

/**
 * How much of a saliency map falls inside a region of the image (e.g. the lesions a phantom was drawn with): the
 * map upsampled bilinearly to the image's size (half-pixel centres, as an overlay shows it), then the share of its
 * sum that lies on the region's pixels. A map spread evenly gives the region's area fraction.
 */
public final class SaliencyMass {

    private SaliencyMass() {
    }

    /**
     * @param region {@code width * height} flags, row-major
     * @return the fraction in [0, 1]; 0 for an all-zero map
     */
    public static double insideRegion(Saliency saliency, boolean[] region, int width, int height) {
        if (region.length != width * height) {
            throw new IllegalArgumentException("region of " + region.length + " pixels for " + width + "x" + height);
        }
        float[] up = upsampled(saliency, width, height);
        double inside = 0;
        double total = 0;
        for (int i = 0; i < up.length; i++) {
            total += up[i];
            if (region[i]) {
                inside += up[i];
            }
        }
        return total == 0 ? 0 : inside / total;
    }

    /** The grid bilinearly resized to {@code width x height}, edges clamped. */
    public static float[] upsampled(Saliency saliency, int width, int height) {
        int gw = saliency.gridWidth();
        int gh = saliency.gridHeight();
        float[] out = new float[width * height];
        for (int y = 0; y < height; y++) {
            double gy = clamp((y + 0.5) * gh / height - 0.5, gh);
            int y0 = (int) Math.floor(gy);
            int y1 = Math.min(y0 + 1, gh - 1);
            double fy = gy - y0;
            for (int x = 0; x < width; x++) {
                double gx = clamp((x + 0.5) * gw / width - 0.5, gw);
                int x0 = (int) Math.floor(gx);
                int x1 = Math.min(x0 + 1, gw - 1);
                double fx = gx - x0;
                double top = saliency.at(x0, y0) * (1 - fx) + saliency.at(x1, y0) * fx;
                double bottom = saliency.at(x0, y1) * (1 - fx) + saliency.at(x1, y1) * fx;
                out[y * width + x] = (float) (top * (1 - fy) + bottom * fy);
            }
        }
        return out;
    }

    private static double clamp(double v, int cells) {
        return Math.max(0, Math.min(cells - 1, v));
    }
}
