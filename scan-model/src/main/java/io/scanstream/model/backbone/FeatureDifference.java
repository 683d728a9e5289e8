package io.scanstream.model.backbone;

/** How far two engines' (or two layouts') outputs for the same input are apart, relative to the output's scale. */
final class FeatureDifference {

    private FeatureDifference() {
    }

    /** {@code max |expected - actual|} over {@code max |expected|} (at least 1e-6, so that zeros compare absolutely). */
    static double relativeMax(float[] expected, float[] actual) {
        if (expected.length != actual.length) {
            throw new IllegalArgumentException(expected.length + " values against " + actual.length);
        }
        double scale = 1e-6;
        double difference = 0;
        for (int i = 0; i < expected.length; i++) {
            scale = Math.max(scale, Math.abs(expected[i]));
            difference = Math.max(difference, Math.abs((double) expected[i] - actual[i]));
        }
        return Double.isNaN(difference) ? Double.POSITIVE_INFINITY : difference / scale;
    }
}
