package io.scanstream.core.dicom;

import io.scanstream.core.imaging.GreyImage;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The tests' DICOM files, written here for every supported case and every bad one: a slice description (size,
 * bits, sign, photometric, rescale, transfer syntax) and its samples, encoded by {@link DicomWriter} and the
 * package's encoders; bad files are derived from good ones byte by byte ({@link #withBytes}).
 */
final class TestDicom {

    static final String SOP_INSTANCE = "1.2.826.0.1.3680043.8.498.1234567890";
    static final String STUDY = "1.2.826.0.1.3680043.8.498.11";
    static final String SERIES = "1.2.826.0.1.3680043.8.498.12";
    static final String PATIENT_ID = "MRN-000042";
    static final String PATIENT_NAME = "Doe^Jane";

    private int width = 24;
    private int height = 16;
    private int bitsAllocated = 16;
    private int bitsStored = 12;
    private boolean signed;
    private String photometric = PixelModule.MONOCHROME2;
    private Double slope = 1.0;
    private Double intercept = -1024.0;
    private Double windowCenter;
    private Double windowWidth;
    private TransferSyntax transferSyntax = TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN;
    private int predictor = 1;
    private int restartLines;
    private short[] samples;
    private long seed = 7;

    static TestDicom slice() {
        return new TestDicom();
    }

    TestDicom size(int width, int height) {
        this.width = width;
        this.height = height;
        return this;
    }

    TestDicom bits(int allocated, int stored, boolean signed) {
        this.bitsAllocated = allocated;
        this.bitsStored = stored;
        this.signed = signed;
        return this;
    }

    TestDicom photometric(String photometric) {
        this.photometric = photometric;
        return this;
    }

    TestDicom rescale(Double slope, Double intercept) {
        this.slope = slope;
        this.intercept = intercept;
        return this;
    }

    TestDicom window(double center, double width) {
        this.windowCenter = center;
        this.windowWidth = width;
        return this;
    }

    TestDicom transferSyntax(TransferSyntax ts) {
        this.transferSyntax = ts;
        return this;
    }

    TestDicom predictor(int selectionValue) {
        this.predictor = selectionValue;
        return this;
    }

    TestDicom restartLines(int lines) {
        this.restartLines = lines;
        return this;
    }

    TestDicom samples(short[] samples) {
        this.samples = samples;
        return this;
    }

    TestDicom seed(long seed) {
        this.seed = seed;
        return this;
    }

    /** The raw sample patterns written: given, or seeded noise over the whole stored range. */
    short[] samples() {
        if (samples == null) {
            SplittableRandom rnd = new SplittableRandom(seed);
            samples = new short[width * height];
            for (int i = 0; i < samples.length; i++) {
                // Smooth ramps plus noise: exercises small and large differences alike.
                int base = (i % width) * ((1 << bitsStored) - 1) / Math.max(1, width - 1);
                int value = rnd.nextInt(4) == 0 ? rnd.nextInt(1 << bitsStored) : base;
                samples[i] = (short) (value & ((1 << bitsStored) - 1));
            }
        }
        return samples;
    }

    /** The writer with every attribute of the slice set; tests remove or change some before writing. */
    DicomWriter writer() {
        DicomWriter w = new DicomWriter(transferSyntax)
                .string(DicomTag.SOP_CLASS_UID, "UI", SyntheticDicom.CT_IMAGE_STORAGE)
                .string(DicomTag.SOP_INSTANCE_UID, "UI", SOP_INSTANCE)
                .string(DicomTag.ACCESSION_NUMBER, "SH", "ACC-77")
                .string(DicomTag.MODALITY, "CS", "CT")
                .string(DicomTag.INSTITUTION_NAME, "LO", "Test Hospital")
                .string(DicomTag.PATIENT_NAME, "PN", PATIENT_NAME)
                .string(DicomTag.PATIENT_ID, "LO", PATIENT_ID)
                .string(DicomTag.PATIENT_BIRTH_DATE, "DA", "19610203")
                .string(DicomTag.PATIENT_SEX, "CS", "F")
                .string(DicomTag.STUDY_INSTANCE_UID, "UI", STUDY)
                .string(DicomTag.SERIES_INSTANCE_UID, "UI", SERIES)
                .uint16(DicomTag.SAMPLES_PER_PIXEL, 1)
                .string(DicomTag.PHOTOMETRIC_INTERPRETATION, "CS", photometric)
                .uint16(DicomTag.ROWS, height)
                .uint16(DicomTag.COLUMNS, width)
                .uint16(DicomTag.BITS_ALLOCATED, bitsAllocated)
                .uint16(DicomTag.BITS_STORED, bitsStored)
                .uint16(DicomTag.HIGH_BIT, bitsStored - 1)
                .uint16(DicomTag.PIXEL_REPRESENTATION, signed ? 1 : 0);
        if (slope != null) {
            w.decimal(DicomTag.RESCALE_SLOPE, slope);
        }
        if (intercept != null) {
            w.decimal(DicomTag.RESCALE_INTERCEPT, intercept);
        }
        if (windowCenter != null) {
            w.decimal(DicomTag.WINDOW_CENTER, windowCenter).decimal(DicomTag.WINDOW_WIDTH, windowWidth);
        }
        short[] s = samples();
        switch (transferSyntax.encoding()) {
            case NATIVE -> w.nativePixelData(nativeBytes(s, bitsAllocated), bitsAllocated);
            case RLE -> w.encapsulatedPixelData(List.of(RleEncoder.encode(s, bitsAllocated)));
            case JPEG_LOSSLESS -> w.encapsulatedPixelData(List.of(
                    JpegLosslessEncoder.encode(s, width, height, bitsStored, predictor, restartLines)));
            case JPEG_BASELINE -> w.encapsulatedPixelData(List.of(jpegBaseline(s, width, height)));
        }
        return w;
    }

    byte[] bytes() {
        return writer().toBytes();
    }

    static byte[] nativeBytes(short[] samples, int bitsAllocated) {
        if (bitsAllocated == 8) {
            byte[] out = new byte[samples.length];
            for (int i = 0; i < samples.length; i++) {
                out[i] = (byte) samples[i];
            }
            return out;
        }
        return SyntheticDicom.littleEndian(samples);
    }

    /** 8-bit grey JPEG baseline at the highest quality, by the JDK's writer. */
    static byte[] jpegBaseline(short[] samples, int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        for (int i = 0; i < samples.length; i++) {
            image.getRaster().setSample(i % width, i / width, 0, samples[i] & 0xFF);
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(ios);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(1.0f);
            writer.write(null, new IIOImage(image, null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    static GreyImage grey(short[] samples, int width, int height) {
        byte[] px = new byte[samples.length];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) samples[i];
        }
        return new GreyImage(width, height, px);
    }

    // --- byte surgery for bad files ---

    /** The offset of the first occurrence of an element's tag (little endian) after the preamble. */
    static int offsetOf(byte[] file, int tag) {
        byte[] pattern = {(byte) (tag >>> 16), (byte) (tag >>> 24), (byte) tag, (byte) (tag >>> 8)};
        outer:
        for (int i = 132; i + 4 <= file.length; i++) {
            for (int k = 0; k < 4; k++) {
                if (file[i + k] != pattern[k]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new IllegalArgumentException("tag " + DicomReader.tagName(tag) + " not in the file");
    }

    /** A copy with {@code values} written at {@code offset}. */
    static byte[] withBytes(byte[] file, int offset, int... values) {
        byte[] copy = file.clone();
        for (int i = 0; i < values.length; i++) {
            copy[offset + i] = (byte) values[i];
        }
        return copy;
    }

    /** A copy whose bytes ASCII at {@code offset}. */
    static byte[] withAscii(byte[] file, int offset, String text) {
        byte[] copy = file.clone();
        byte[] ascii = text.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        System.arraycopy(ascii, 0, copy, offset, ascii.length);
        return copy;
    }
}
