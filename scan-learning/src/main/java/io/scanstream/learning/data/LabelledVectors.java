package io.scanstream.learning.data;

import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Feature vectors with their binary labels (true = COVID), rows in order.
 */
public record LabelledVectors(float[][] features, boolean[] covid) {

    public LabelledVectors {
        if (features.length != covid.length) {
            throw new IllegalArgumentException(features.length + " vectors but " + covid.length + " labels");
        }
    }

    public static <T> LabelledVectors of(List<T> items, Function<T, float[]> vector, Predicate<T> isCovid) {
        float[][] x = new float[items.size()][];
        boolean[] y = new boolean[items.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = vector.apply(items.get(i));
            y[i] = isCovid.test(items.get(i));
        }
        return new LabelledVectors(x, y);
    }

    public int size() {
        return features.length;
    }

    public int dimension() {
        return features.length == 0 ? 0 : features[0].length;
    }

    public int positives() {
        int n = 0;
        for (boolean b : covid) {
            n += b ? 1 : 0;
        }
        return n;
    }

    /** Both classes present: what training and ROC need. */
    public boolean hasBothClasses() {
        int p = positives();
        return p > 0 && p < covid.length;
    }
}
