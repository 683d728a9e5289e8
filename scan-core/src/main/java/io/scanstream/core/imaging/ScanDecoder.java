package io.scanstream.core.imaging;

import io.scanstream.core.contract.Rejection;
import io.scanstream.core.contract.RejectionReason;
import io.scanstream.core.dicom.DicomImage;
import io.scanstream.core.dicom.DicomInstance;
import io.scanstream.core.dicom.DicomPixelDecoder;
import io.scanstream.core.dicom.DicomReader;
import io.scanstream.core.dicom.DicomResult;
import io.scanstream.core.dicom.DicomWindowing;

import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;
import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.SampleModel;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * Turns encoded bytes into an 8-bit grey image, or a {@link Rejection} saying why not. Order matters: size of the
 * payload, format from the magic bytes, dimensions from the header, and only then the decoder.
 *
 * <p>Thread-safe: ImageIO readers are created per call.
 */
public final class ScanDecoder {

    static {
        // No temp files: payloads are in memory already, and a shared cache dir is a contention point.
        ImageIO.setUseCache(false);
    }

    private final DecodeLimits limits;
    private final DicomWindowing dicomWindowing;

    public ScanDecoder(DecodeLimits limits) {
        this(limits, DicomWindowing.DEFAULT);
    }

    public ScanDecoder(DecodeLimits limits, DicomWindowing dicomWindowing) {
        this.limits = limits;
        this.dicomWindowing = java.util.Objects.requireNonNull(dicomWindowing);
    }

    public DicomWindowing dicomWindowing() {
        return dicomWindowing;
    }

    public DecodeLimits limits() {
        return limits;
    }

    public DecodeResult decode(byte[] bytes) {
        try {
            return new DecodeResult.Decoded(decodeOrThrow(bytes));
        } catch (ScanRejectedException e) {
            return new DecodeResult.Refused(e.rejection());
        }
    }

    /**
     * The pixels of an already read DICOM instance, as grey: ingest reads the instance first (its identifiers
     * decide the scan id), and does not parse it twice.
     */
    public DecodeResult decode(DicomInstance instance) {
        DicomResult<DicomImage> pixels = DicomPixelDecoder.decode(instance);
        if (pixels instanceof DicomResult.Refused<DicomImage> refused) {
            return new DecodeResult.Refused(refused.rejection());
        }
        DicomImage image = ((DicomResult.Ok<DicomImage>) pixels).value();
        PixelType type = image.module().bitsAllocated() > 8 ? PixelType.GREY16 : PixelType.GREY8;
        return new DecodeResult.Decoded(new DecodedScan(dicomWindowing.render(image), ImageFormat.DICOM, type));
    }

    /** The header of a supported image, checked against the limits, without decoding pixels. */
    public ImageHeader header(byte[] bytes) {
        checkPayloadSize(bytes);
        ImageFormat format = ImageFormat.sniff(bytes);
        if (!format.supported()) {
            throw unsupported(format);
        }
        if (format == ImageFormat.DICOM) {
            DicomInstance instance = readDicom(bytes);
            return new ImageHeader(format, instance.pixels().columns(), instance.pixels().rows());
        }
        ImageHeader header = ImageHeaderReader.read(format, bytes);
        checkDimensions(header);
        return header;
    }

    private DicomInstance readDicom(byte[] bytes) {
        DicomResult<DicomInstance> read = DicomReader.read(bytes, limits);
        if (read instanceof DicomResult.Refused<DicomInstance> refused) {
            throw new ScanRejectedException(refused.rejection());
        }
        return ((DicomResult.Ok<DicomInstance>) read).value();
    }

    private DecodedScan decodeOrThrow(byte[] bytes) {
        checkPayloadSize(bytes);
        if (ImageFormat.sniff(bytes) == ImageFormat.DICOM) {
            DecodeResult result = decode(readDicom(bytes));
            if (result instanceof DecodeResult.Refused refused) {
                throw new ScanRejectedException(refused.rejection());
            }
            return ((DecodeResult.Decoded) result).scan();
        }
        ImageHeader header = header(bytes);
        if (header.format() == ImageFormat.PNG) {
            ImageHeaderReader.verifyPngChunks(bytes);
        }
        Pixels pixels = readPixels(header, bytes, limits.maxRasterBytes());
        BufferedImage image = pixels.image();
        if (image.getWidth() != header.width() || image.getHeight() != header.height()) {
            throw reject(RejectionReason.CORRUPT_IMAGE, "decoded size " + image.getWidth() + "x" + image.getHeight()
                    + " differs from the header's " + header.width() + "x" + header.height());
        }
        return new DecodedScan(GreyConverter.toGrey(image, GreyConverter.pixelTypeOf(image)), header.format(),
                pixels.sourceType());
    }

    /** The decoded image, and the layout the file holds (a colour JPEG decoded straight to grey is still RGB). */
    private record Pixels(BufferedImage image, PixelType sourceType) {
    }

    private void checkPayloadSize(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            throw reject(RejectionReason.CORRUPT_IMAGE, "empty payload (0 bytes)");
        }
        if (bytes.length > limits.maxBytes()) {
            throw reject(RejectionReason.TOO_LARGE,
                    "payload of " + bytes.length + " bytes exceeds the limit of " + limits.maxBytes() + " bytes");
        }
    }

    private void checkDimensions(ImageHeader header) {
        if (header.width() > limits.maxWidth() || header.height() > limits.maxHeight()
                || header.pixels() > limits.maxPixels()) {
            throw reject(RejectionReason.TOO_LARGE, header.format() + " header declares " + header.width() + "x"
                    + header.height() + " pixels; limits are " + limits.maxWidth() + "x" + limits.maxHeight()
                    + " and " + limits.maxPixels() + " pixels in all");
        }
    }

    private static Pixels readPixels(ImageHeader header, byte[] bytes, long maxRasterBytes) {
        String formatName = header.format() == ImageFormat.PNG ? "png" : "jpeg";
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(formatName);
        if (!readers.hasNext()) {
            throw reject(RejectionReason.INTERNAL, "no ImageIO reader for " + formatName);
        }
        ImageReader reader = readers.next();
        List<String> warnings = new ArrayList<>();
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            reader.setInput(in, true, true);
            // JPEG decoders fill a truncated image with grey and only warn: treat any warning as damage.
            reader.addIIOReadWarningListener(collectInto(warnings));
            checkRasterBudget(header, reader, maxRasterBytes);
            ImageTypeSpecifier sourceType = reader.getImageTypes(0).next();
            ImageReadParam param = reader.getDefaultReadParam();
            fastestDestination(header.format(), reader).ifPresent(param::setDestinationType);
            BufferedImage image = reader.read(0, param);
            if (!warnings.isEmpty()) {
                throw reject(RejectionReason.CORRUPT_IMAGE, header.format() + " decoder: " + warnings.get(0));
            }
            return new Pixels(image, GreyConverter.pixelTypeOf(sourceType.getColorModel(), sourceType.getSampleModel()));
        } catch (ScanRejectedException e) {
            throw e;
        } catch (IIOException e) {
            if (isUnsupportedVariant(e)) {
                throw reject(RejectionReason.UNSUPPORTED_FORMAT, header.format() + " variant not supported: " + e.getMessage());
            }
            throw reject(RejectionReason.CORRUPT_IMAGE, header.format() + " does not decode: " + describe(e));
        } catch (IOException | RuntimeException e) {
            // ImageIO reports damaged data with a range of runtime exceptions (index, negative size, ...).
            throw reject(RejectionReason.CORRUPT_IMAGE, header.format() + " does not decode: " + describe(e));
        } finally {
            reader.dispose();
        }
    }

    /**
     * The image type that gives the same grey pixels with the least work (decoding is most of ingest's CPU per scan).
     * JPEG: one band when the decoder offers it, so libjpeg keeps the Y channel and skips the colour conversion, at
     * half the decode time. Y is BT.601 luma, the rule {@link GreyConverter} applies to RGB, taken before the decoded
     * RGB is rounded and clamped: on grey content the two differ by rounding (1–2 levels), on saturated colour (a
     * coloured annotation) by more (docs/architecture.md, "Grey conversion"). PNG: the file's own band layout, which
     * the reader copies rows into as they are, instead of converting RGB(A) into the default BGR(A) image; the grey
     * pixels are identical.
     */
    private static Optional<ImageTypeSpecifier> fastestDestination(ImageFormat format, ImageReader reader)
            throws IOException {
        if (format == ImageFormat.PNG) {
            return Optional.ofNullable(reader.getRawImageType(0));
        }
        for (Iterator<ImageTypeSpecifier> types = reader.getImageTypes(0); types.hasNext(); ) {
            ImageTypeSpecifier type = types.next();
            if (type.getNumBands() == 1 && type.getBitsPerBand(0) == 8
                    && !(type.getColorModel() instanceof IndexColorModel)) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }

    /**
     * The decoded raster's size from the reader's header (width x height x bands x bytes per sample of the image type
     * the reader will decode to), against the budget, before {@code read} allocates it: the header's dimensions
     * alone do not bound memory (a 16-bit RGBA PNG takes 8 bytes a pixel).
     */
    private static void checkRasterBudget(ImageHeader header, ImageReader reader, long maxRasterBytes)
            throws IOException {
        long width = reader.getWidth(0);
        long height = reader.getHeight(0);
        ImageTypeSpecifier type = reader.getRawImageType(0);
        if (type == null) {
            Iterator<ImageTypeSpecifier> types = reader.getImageTypes(0);
            type = types.hasNext() ? types.next() : null;
        }
        int bands = 4;
        int bytesPerSample = 2; // unknown type: assume the widest the decoders produce
        if (type != null) {
            SampleModel model = type.getSampleModel(1, 1);
            bands = model.getNumBands();
            bytesPerSample = Math.max(1, DataBuffer.getDataTypeSize(model.getDataType()) / 8);
        }
        long rasterBytes = width * height * bands * bytesPerSample;
        if (rasterBytes > maxRasterBytes) {
            throw reject(RejectionReason.TOO_LARGE, header.format() + " of " + width + "x" + height + " with " + bands
                    + " band(s) of " + 8 * bytesPerSample + " bits decodes to " + rasterBytes
                    + " bytes of raster; the limit is " + maxRasterBytes + " bytes");
        }
    }

    private static boolean isUnsupportedVariant(IIOException e) {
        String message = String.valueOf(e.getMessage());
        return message.contains("Unsupported Image Type") || message.contains("Unsupported JPEG process");
    }

    private static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return root == e ? message : e.getMessage() + " (" + message + ")";
    }

    private static IIOReadWarningListener collectInto(List<String> warnings) {
        return (source, warning) -> warnings.add(warning);
    }

    private static ScanRejectedException unsupported(ImageFormat format) {
        String detail = format == ImageFormat.UNKNOWN
                ? "bytes are not a known image format (no PNG, JPEG or DICOM signature)"
                : format + " is not supported; send PNG, JPEG or DICOM";
        return reject(RejectionReason.UNSUPPORTED_FORMAT, detail);
    }

    private static ScanRejectedException reject(RejectionReason reason, String detail) {
        return new ScanRejectedException(Rejection.of(reason, detail));
    }
}
