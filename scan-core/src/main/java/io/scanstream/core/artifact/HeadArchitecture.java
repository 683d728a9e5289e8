package io.scanstream.core.artifact;

import java.util.List;

/**
 * The shape of a classification head (docs/training.md): linear layers from the backbone's feature width through
 * hidden widths (powers of two) to the class count, ReLU and dropout between them.
 *
 * @param inputDim     the backbone's feature width (1280 for MobileNetV2, 512 for VGG and ResNet-34)
 * @param hiddenWidths widths of the hidden layers, e.g. [512, 256, 128]
 * @param dropout      dropout probability between layers (training only)
 * @param classes      output classes (2: NON_COVID, COVID)
 */
public record HeadArchitecture(int inputDim, List<Integer> hiddenWidths, double dropout, int classes) {

    public HeadArchitecture {
        hiddenWidths = List.copyOf(hiddenWidths);
        if (inputDim < 1 || classes < 2) {
            throw new IllegalArgumentException("inputDim must be >= 1 and classes >= 2");
        }
        if (dropout < 0 || dropout >= 1) {
            throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
        }
        for (int width : hiddenWidths) {
            if (width < 1 || Integer.bitCount(width) != 1) {
                throw new IllegalArgumentException("hidden widths must be powers of two, got " + width);
            }
        }
    }

    /** The seed's head: d → 512 → 256 → 128 → 2 (four linear layers). */
    public static HeadArchitecture standard(int inputDim, double dropout) {
        return new HeadArchitecture(inputDim, List.of(512, 256, 128), dropout, 2);
    }

    public int linearLayers() {
        return hiddenWidths.size() + 1;
    }

    /** A short description, e.g. {@code 1280-512-256-128-2}. */
    public String describe() {
        StringBuilder sb = new StringBuilder().append(inputDim);
        hiddenWidths.forEach(w -> sb.append('-').append(w));
        return sb.append('-').append(classes).toString();
    }
}
