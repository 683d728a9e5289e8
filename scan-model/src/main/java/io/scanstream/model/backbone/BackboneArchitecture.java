package io.scanstream.model.backbone;

import java.util.Arrays;

/** The backbones the product supports, with the width of the feature vector each yields after global pooling. */
public enum BackboneArchitecture {
    VGG16("vgg16", 512),
    VGG19("vgg19", 512),
    RESNET34("resnet34", 512),
    MOBILENET_V2("mobilenet_v2", 1280);

    private final String id;
    private final int featureDim;

    BackboneArchitecture(String id, int featureDim) {
        this.id = id;
        this.featureDim = featureDim;
    }

    /** The name used in backbone ids and configuration, torchvision's spelling. */
    public String id() {
        return id;
    }

    public int featureDim() {
        return featureDim;
    }

    /** Accepts the id ({@code resnet34}) or the constant name ({@code RESNET34}), case-insensitively. */
    public static BackboneArchitecture fromId(String name) {
        for (BackboneArchitecture architecture : values()) {
            if (architecture.id.equalsIgnoreCase(name) || architecture.name().equalsIgnoreCase(name)) {
                return architecture;
            }
        }
        throw new IllegalArgumentException("unknown backbone '" + name + "', expected one of "
                + Arrays.stream(values()).map(BackboneArchitecture::id).toList());
    }
}
