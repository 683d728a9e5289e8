package io.scanstream.core.synthetic;

import io.scanstream.core.contract.ClinicalLabel;
import io.scanstream.core.imaging.AntialiasedResizer;
import io.scanstream.core.imaging.GreyImage;
import io.scanstream.core.imaging.ImageFormat;
import io.scanstream.core.imaging.PixelType;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class SyntheticCtGeneratorTest {

    @Test
    void isDeterministicForASeedAndIndex() {
        assertThat(new SyntheticCtGenerator(9).scan(17).bytes()).isEqualTo(new SyntheticCtGenerator(9).scan(17).bytes());
        assertThat(new SyntheticCtGenerator(9).scan(17).bytes()).isNotEqualTo(new SyntheticCtGenerator(10).scan(17).bytes());
        assertThat(new SyntheticCtGenerator(9).scan(17).bytes()).isNotEqualTo(new SyntheticCtGenerator(9).scan(18).bytes());
    }

    @Test
    void variesSizePixelTypeAndFormatAcrossIndices() {
        SyntheticCtGenerator generator = new SyntheticCtGenerator(1);
        Set<PixelType> types = EnumSet.noneOf(PixelType.class);
        Set<ImageFormat> formats = EnumSet.noneOf(ImageFormat.class);
        Set<String> sizes = new HashSet<>();
        Set<ClinicalLabel> labels = EnumSet.noneOf(ClinicalLabel.class);
        for (int i = 0; i < 48; i++) {
            SyntheticScan scan = generator.scan(i);
            types.add(scan.pixelType());
            formats.add(scan.format());
            sizes.add(scan.width() + "x" + scan.height());
            labels.add(scan.label());
        }
        assertThat(types).containsExactlyInAnyOrder(PixelType.GREY8, PixelType.GREY16, PixelType.RGB, PixelType.RGBA);
        assertThat(formats).containsExactlyInAnyOrder(ImageFormat.PNG, ImageFormat.JPEG);
        assertThat(sizes).hasSize(SyntheticCtGenerator.SIZES.size());
        assertThat(labels).containsExactlyInAnyOrder(ClinicalLabel.COVID, ClinicalLabel.NON_COVID);
    }

    @Test
    void keepsOneLabelPerPatient() {
        SyntheticCtGenerator generator = new SyntheticCtGenerator(4);
        for (int patient = 0; patient < 20; patient++) {
            long first = (long) patient * SyntheticCtGenerator.SCANS_PER_PATIENT;
            for (int k = 1; k < SyntheticCtGenerator.SCANS_PER_PATIENT; k++) {
                assertThat(generator.labelOf(first + k)).isEqualTo(generator.labelOf(first));
                assertThat(generator.patientRefOf(first + k)).isEqualTo(generator.patientRefOf(first));
            }
        }
    }

    @Test
    void looksLikeALungSliceDarkLungsInsideBrighterTissue() {
        GreyImage img = new SyntheticCtGenerator(2).render(0, ClinicalLabel.NON_COVID, 512, 512);
        assertThat(img.at(5, 5)).isLessThan(20); // air outside the body
        assertThat(img.at(256 - 97, 236)).isLessThan(70); // inside the left lung
        assertThat(img.at(256, 150)).isGreaterThan(110); // mediastinum, soft tissue
    }

    @Test
    void classesAreSeparableByLungTextureWithASimpleClassifier() {
        // Nearest class centroid on standardised 8-bin intensity histograms of the 224x224 model input, fitted on
        // 60 scans, tested on 40 others: a learnable signal for the real model.
        SyntheticCtGenerator generator = new SyntheticCtGenerator(2026);
        int bins = 8;
        double[][] train = new double[60][];
        for (int i = 0; i < 60; i++) {
            train[i] = histogram(generator, i, bins);
        }
        double[] mean = new double[bins];
        double[] std = new double[bins];
        for (double[] h : train) {
            for (int b = 0; b < bins; b++) {
                mean[b] += h[b] / train.length;
            }
        }
        for (double[] h : train) {
            for (int b = 0; b < bins; b++) {
                std[b] += (h[b] - mean[b]) * (h[b] - mean[b]) / train.length;
            }
        }
        for (int b = 0; b < bins; b++) {
            std[b] = Math.sqrt(std[b]) + 1e-9;
        }
        double[][] centroid = new double[2][bins];
        int[] count = new int[2];
        for (int i = 0; i < 60; i++) {
            int c = generator.labelOf(i).target();
            for (int b = 0; b < bins; b++) {
                centroid[c][b] += (train[i][b] - mean[b]) / std[b];
            }
            count[c]++;
        }
        for (int c = 0; c < 2; c++) {
            for (int b = 0; b < bins; b++) {
                centroid[c][b] /= count[c];
            }
        }
        int correct = 0;
        for (int i = 60; i < 100; i++) {
            double[] h = histogram(generator, i, bins);
            for (int b = 0; b < bins; b++) {
                h[b] = (h[b] - mean[b]) / std[b];
            }
            int predicted = distance(h, centroid[1]) < distance(h, centroid[0]) ? 1 : 0;
            correct += predicted == generator.labelOf(i).target() ? 1 : 0;
        }
        assertThat(correct / 40.0).isGreaterThanOrEqualTo(0.9);
    }

    private static double[] histogram(SyntheticCtGenerator generator, int index, int bins) {
        int[] size = SyntheticCtGenerator.SIZES.get(index % SyntheticCtGenerator.SIZES.size());
        GreyImage img = AntialiasedResizer.resize(generator.render(index, generator.labelOf(index), size[0], size[1]), 224, 224);
        double[] h = new double[bins];
        for (byte p : img.pixels()) {
            h[(p & 0xFF) * bins / 256] += 1.0 / img.pixels().length;
        }
        return h;
    }

    private static double distance(double[] a, double[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return d;
    }
}
