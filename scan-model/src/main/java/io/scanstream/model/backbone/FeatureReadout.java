package io.scanstream.model.backbone;

import java.util.Arrays;
import java.util.List;

/**
 * Which activations of a frozen backbone become the feature vector.
 * <ul>
 *   <li>{@link #FINAL}: the backbone's own output, its last feature map globally average-pooled (what an ImageNet
 *   export such as {@code features + avgpool} yields; 1280 values for MobileNetV2).</li>
 *   <li>{@link #MULTI_SCALE}: the output of every stage (torchvision's run of blocks of one width) from 1/8 of the
 *   input resolution on, each globally average-pooled, concatenated in order; the final features are the last
 *   part. Mid-level features (textures, opacities) carry over from ImageNet to CT better than the last,
 *   object-level ones: chosen by cross-validation on the training split, see docs/training.md.</li>
 * </ul>
 * The readout is part of the backbone id ({@code mobilenet_v2+ms:<sha>}): heads never cross readouts.
 */
public enum FeatureReadout {
    FINAL("final", ""),
    MULTI_SCALE("multi-scale", "+ms");

    private final String id;
    private final String idSuffix;

    FeatureReadout(String id, String idSuffix) {
        this.id = id;
        this.idSuffix = idSuffix;
    }

    /** The configuration spelling ({@code final}, {@code multi-scale}). */
    public String id() {
        return id;
    }

    /** Appended to the architecture in backbone ids. */
    String idSuffix() {
        return idSuffix;
    }

    /** Width of the feature vector this readout yields on this architecture. */
    public int featureDim(BackboneArchitecture architecture) {
        return this == FINAL ? architecture.featureDim()
                : Backbones.stageOutputs(architecture).stream().mapToInt(Backbones.StageOutput::channels).sum();
    }

    /** The stages read, in order (empty for {@link #FINAL}: the backbone's output is read). */
    List<Backbones.StageOutput> taps(BackboneArchitecture architecture) {
        return this == FINAL ? List.of() : Backbones.stageOutputs(architecture);
    }

    /** Accepts the id ({@code multi-scale}) or the constant name ({@code MULTI_SCALE}), case-insensitively. */
    public static FeatureReadout fromId(String name) {
        for (FeatureReadout readout : values()) {
            if (readout.id.equalsIgnoreCase(name) || readout.name().equalsIgnoreCase(name)) {
                return readout;
            }
        }
        throw new IllegalArgumentException("unknown feature readout '" + name + "', expected one of "
                + Arrays.stream(values()).map(FeatureReadout::id).toList());
    }
}
