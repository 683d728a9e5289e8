package io.scanstream.core.imaging;

import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class ImageFormatTest {

    @Test
    void recognisesFormatsFromTheirSignatureAlone() {
        BufferedImage img = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY);
        assertThat(ImageFormat.sniff(TestImages.write(img, "png"))).isEqualTo(ImageFormat.PNG);
        assertThat(ImageFormat.sniff(TestImages.write(img, "jpeg"))).isEqualTo(ImageFormat.JPEG);
        assertThat(ImageFormat.sniff(TestImages.write(img, "gif"))).isEqualTo(ImageFormat.GIF);
        assertThat(ImageFormat.sniff(TestImages.write(img, "bmp"))).isEqualTo(ImageFormat.BMP);
        assertThat(ImageFormat.sniff(TestImages.write(img, "tiff"))).isEqualTo(ImageFormat.TIFF);
        assertThat(ImageFormat.sniff("RIFF\0\0\0\0WEBPVP8 ".getBytes(StandardCharsets.US_ASCII))).isEqualTo(ImageFormat.WEBP);
        byte[] dicom = new byte[200];
        System.arraycopy("DICM".getBytes(StandardCharsets.US_ASCII), 0, dicom, 128, 4);
        assertThat(ImageFormat.sniff(dicom)).isEqualTo(ImageFormat.DICOM);
    }

    @Test
    void emptyOrShortOrRandomBytesAreUnknown() {
        assertThat(ImageFormat.sniff(new byte[0])).isEqualTo(ImageFormat.UNKNOWN);
        assertThat(ImageFormat.sniff(new byte[] {(byte) 0x89, 'P'})).isEqualTo(ImageFormat.UNKNOWN);
        assertThat(ImageFormat.sniff("hello, world".getBytes(StandardCharsets.US_ASCII))).isEqualTo(ImageFormat.UNKNOWN);
    }

    @Test
    void onlyPngJpegAndDicomAreSupported() {
        for (ImageFormat format : ImageFormat.values()) {
            assertThat(format.supported()).as(format.name())
                    .isEqualTo(format == ImageFormat.PNG || format == ImageFormat.JPEG || format == ImageFormat.DICOM);
        }
    }

    @Test
    void readsMediaTypesWithParametersAndCommonAliases() {
        assertThat(ImageFormat.fromMediaType("image/png")).contains(ImageFormat.PNG);
        assertThat(ImageFormat.fromMediaType("IMAGE/JPEG; charset=binary")).contains(ImageFormat.JPEG);
        assertThat(ImageFormat.fromMediaType("image/jpg")).contains(ImageFormat.JPEG);
        assertThat(ImageFormat.fromMediaType("application/dicom")).contains(ImageFormat.DICOM);
        assertThat(ImageFormat.fromMediaType("text/plain")).isEmpty();
        assertThat(ImageFormat.fromMediaType(null)).isEmpty();
    }
}
