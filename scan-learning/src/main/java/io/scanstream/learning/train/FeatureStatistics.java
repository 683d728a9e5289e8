package io.scanstream.learning.train;

/** Per-feature mean and standard deviation (population) of the training split, for the head's standardisation. */
record FeatureStatistics(float[] mean, float[] std) {

    static FeatureStatistics of(float[][] rows) {
        int dim = rows[0].length;
        double[] sum = new double[dim];
        double[] sumSq = new double[dim];
        for (float[] row : rows) {
            for (int j = 0; j < dim; j++) {
                sum[j] += row[j];
                sumSq[j] += (double) row[j] * row[j];
            }
        }
        float[] mean = new float[dim];
        float[] std = new float[dim];
        for (int j = 0; j < dim; j++) {
            double m = sum[j] / rows.length;
            mean[j] = (float) m;
            std[j] = (float) Math.sqrt(Math.max(0, sumSq[j] / rows.length - m * m));
        }
        return new FeatureStatistics(mean, std);
    }
}
