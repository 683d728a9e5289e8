package io.scanstream.core.imaging;

import io.scanstream.core.contract.Rejection;
import io.scanstream.core.dicom.DicomInstance;
import io.scanstream.core.dicom.DicomWindowing;

import java.util.Objects;
import java.util.Optional;

/**
 * The one preprocessing implementation of ScanStream: bytes → checked, decoded, 8-bit grey → resized to the
 * model input with antialiasing. Ingest calls it on every arriving scan; training and evaluation call it on image
 * files, so that serving and training never see different tensors for the same image.
 *
 * <p>The aspect ratio is not kept: slices are stretched to the square input, as the reference training did
 * ({@code Resize((224, 224))}); letterboxing would add borders the model never saw in training.
 */
public final class ScanPreprocessor {

    /** Input side of every supported backbone. */
    public static final int MODEL_INPUT_SIZE = 224;

    private final ScanDecoder decoder;
    private final int width;
    private final int height;

    public ScanPreprocessor(DecodeLimits limits) {
        this(limits, MODEL_INPUT_SIZE, MODEL_INPUT_SIZE);
    }

    public ScanPreprocessor(DecodeLimits limits, int width, int height) {
        this(limits, DicomWindowing.DEFAULT, width, height);
    }

    /** With the window DICOM scans are rendered with (the lung window by default). */
    public ScanPreprocessor(DecodeLimits limits, DicomWindowing dicomWindowing) {
        this(limits, dicomWindowing, MODEL_INPUT_SIZE, MODEL_INPUT_SIZE);
    }

    public ScanPreprocessor(DecodeLimits limits, DicomWindowing dicomWindowing, int width, int height) {
        this.decoder = new ScanDecoder(Objects.requireNonNull(limits), dicomWindowing);
        this.width = width;
        this.height = height;
    }

    public ScanDecoder decoder() {
        return decoder;
    }

    /**
     * Why an image read back from {@code scans.preprocessed} is not a model input, or empty when it is one: the
     * contract says 224x224 grey, one byte a pixel, and readers (inference, training) must not take the writer's word
     * for it.
     */
    public static Optional<String> modelInputProblem(GreyImage image) {
        if (image == null) {
            return Optional.of("no image");
        }
        if (image.width() != MODEL_INPUT_SIZE || image.height() != MODEL_INPUT_SIZE) {
            return Optional.of("image is " + image.width() + "x" + image.height() + ", the model input is "
                    + MODEL_INPUT_SIZE + "x" + MODEL_INPUT_SIZE);
        }
        if (image.pixels() == null || image.pixels().length != MODEL_INPUT_SIZE * MODEL_INPUT_SIZE) {
            return Optional.of("image has " + (image.pixels() == null ? 0 : image.pixels().length) + " pixel bytes, "
                    + "the model input has " + MODEL_INPUT_SIZE * MODEL_INPUT_SIZE);
        }
        return Optional.empty();
    }

    public Result preprocess(byte[] encoded) {
        return preprocess(decoder.decode(encoded));
    }

    /** A DICOM instance ingest has already read (for its identifiers): the same path from its pixels on. */
    public Result preprocess(DicomInstance instance) {
        return preprocess(decoder.decode(instance));
    }

    private Result preprocess(DecodeResult decoded) {
        if (decoded instanceof DecodeResult.Refused refused) {
            return new Result.Rejected(refused.rejection());
        }
        DecodedScan scan = ((DecodeResult.Decoded) decoded).scan();
        GreyImage resized = AntialiasedResizer.resize(scan.image(), width, height);
        return new Result.Accepted(new PreprocessedScan(resized, scan.format(), scan.sourcePixelType(),
                scan.image().width(), scan.image().height()));
    }

    /** The model input of a scan, with a description of what it was. */
    public record PreprocessedScan(GreyImage image, ImageFormat sourceFormat, PixelType sourcePixelType,
                                   int sourceWidth, int sourceHeight) {
    }

    public sealed interface Result permits Result.Accepted, Result.Rejected {

        record Accepted(PreprocessedScan scan) implements Result {
        }

        record Rejected(Rejection rejection) implements Result {
        }
    }
}
