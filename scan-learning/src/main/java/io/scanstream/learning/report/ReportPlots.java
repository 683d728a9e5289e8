package io.scanstream.learning.report;

import io.scanstream.core.artifact.EpochMetrics;
import io.scanstream.model.metrics.RocCurve;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The report's plots as PNG, drawn with XChart: loss and accuracy per epoch (training vs validation), the
 * learning rate per epoch, and the validation ROC curve (with the champion's on the same split, when there was
 * one). Headless: no display needed.
 */
public final class ReportPlots {

    public static final String LOSS = "loss.png";
    public static final String ACCURACY = "accuracy.png";
    public static final String LEARNING_RATE = "learning-rate.png";
    public static final String ROC = "roc.png";

    private static final int WIDTH = 800;
    private static final int HEIGHT = 500;

    static {
        // Before AWT initialises: servers have no display.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    /** A ROC curve to draw, with its legend. */
    public record NamedRoc(String name, RocCurve curve) {
    }

    private ReportPlots() {
    }

    /** File name → PNG bytes; the ROC plot only when a curve exists. */
    public static Map<String, byte[]> render(List<EpochMetrics> epochs, List<NamedRoc> rocs) {
        Map<String, byte[]> plots = new LinkedHashMap<>();
        if (!epochs.isEmpty()) {
            plots.put(LOSS, png(curves("Loss per epoch", "binary cross-entropy", epochs, List.of(
                    new Series("train", EpochMetrics::trainLoss), new Series("validation", EpochMetrics::validationLoss)))));
            plots.put(ACCURACY, png(curves("Accuracy per epoch (P >= 0.5)", "accuracy", epochs, List.of(
                    new Series("train", EpochMetrics::trainAccuracy),
                    new Series("validation", EpochMetrics::validationAccuracy)))));
            plots.put(LEARNING_RATE, png(curves("Cyclical learning rate (end of epoch)", "learning rate", epochs,
                    List.of(new Series("learning rate", EpochMetrics::learningRate)))));
        }
        List<NamedRoc> drawable = rocs.stream().filter(r -> r.curve() != null && !r.curve().points().isEmpty()).toList();
        if (!drawable.isEmpty()) {
            plots.put(ROC, png(roc(drawable)));
        }
        return plots;
    }

    /** One curve over epochs; drawn only when every epoch has a value (no validation split: no curve). */
    private record Series(String name, Function<EpochMetrics, Double> value) {
    }

    private static XYChart curves(String title, String yTitle, List<EpochMetrics> epochs, List<Series> series) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle("epoch")
                .yAxisTitle(yTitle).build();
        chart.getStyler().setMarkerSize(5);
        double[] x = epochs.stream().mapToDouble(EpochMetrics::epoch).toArray();
        for (Series s : series) {
            if (epochs.stream().allMatch(e -> s.value().apply(e) != null)) {
                chart.addSeries(s.name(), x, epochs.stream().mapToDouble(e -> s.value().apply(e)).toArray());
            }
        }
        return chart;
    }

    private static XYChart roc(List<NamedRoc> rocs) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title("ROC on the validation split")
                .xAxisTitle("false positive rate (1 - specificity)").yAxisTitle("true positive rate (sensitivity)")
                .build();
        chart.getStyler().setXAxisMin(0.0).setXAxisMax(1.0).setYAxisMin(0.0).setYAxisMax(1.0)
                .setXAxisDecimalPattern("0.0").setYAxisDecimalPattern("0.0");
        for (NamedRoc roc : rocs) {
            List<RocCurve.Point> points = roc.curve().points();
            XYSeries series = chart.addSeries(String.format(Locale.ROOT, "%s (AUC %.3f)", roc.name(), roc.curve().auc()),
                    points.stream().mapToDouble(RocCurve.Point::falsePositiveRate).toArray(),
                    points.stream().mapToDouble(RocCurve.Point::truePositiveRate).toArray());
            series.setMarker(SeriesMarkers.NONE);
        }
        XYSeries chance = chart.addSeries("chance", new double[] {0, 1}, new double[] {0, 1});
        chance.setMarker(SeriesMarkers.NONE);
        return chart;
    }

    private static byte[] png(XYChart chart) {
        try {
            return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
