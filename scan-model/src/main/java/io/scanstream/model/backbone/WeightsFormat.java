package io.scanstream.model.backbone;

import java.nio.file.Path;
import java.util.Locale;

/**
 * The kinds of backbone weights file the project reads, told apart by the file name's extension: the one rule,
 * used wherever a weights file is opened (serving, fine-tuning, the backbone id).
 */
public enum WeightsFormat {
    /** A TorchScript module ({@code .pt}, {@code .torchscript}), e.g. a torchvision backbone traced with ImageNet weights. */
    TORCHSCRIPT,
    /** DJL parameters of the Java-built block ({@code .params}), as {@code Model.save} or {@code Block.saveParameters} writes them. */
    DJL_PARAMETERS,
    /** An ONNX graph ({@code .onnx}): input {@code [N, 3, H, W]}, one output {@code [N, featureDim]}. */
    ONNX;

    /** @throws IllegalArgumentException for any other extension, naming the file and what is accepted */
    public static WeightsFormat of(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".pt") || name.endsWith(".torchscript")) {
            return TORCHSCRIPT;
        }
        if (name.endsWith(".params")) {
            return DJL_PARAMETERS;
        }
        if (name.endsWith(".onnx")) {
            return ONNX;
        }
        throw new IllegalArgumentException("backbone weights " + file
                + ": expected a TorchScript file (.pt, .torchscript), DJL parameters (.params) or an ONNX graph (.onnx)");
    }
}
