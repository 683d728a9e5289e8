package io.scanstream.core.dicom;

import io.scanstream.core.imaging.GreyImage;
import org.junit.jupiter.api.Test;

import static io.scanstream.core.dicom.DicomPixelDecoderTest.decode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DicomWindowingTest {

    @Test
    void theLungWindowMapsAirBlackAndSoftTissueWhite() {
        HounsfieldWindow lung = HounsfieldWindow.LUNG;
        assertThat(lung.grey(-2000)).isZero(); // outside the scanner's field of view
        assertThat(lung.grey(-1350)).isZero(); // the lower edge
        assertThat(lung.grey(-1000)).isEqualTo(60); // air in the lungs: dark, yet above black
        assertThat(lung.grey(-1349)).isEqualTo(0); // (-1349 + 600.5) / 1499 + 0.5 = 0.00067 -> 0.17 -> 0
        assertThat(lung.grey(-600)).isEqualTo(128); // the level: mid grey
        assertThat(lung.grey(40)).isEqualTo(236); // soft tissue, near white
        assertThat(lung.grey(150)).isEqualTo(255);
        assertThat(lung.grey(3000)).isEqualTo(255); // bone, metal
    }

    @Test
    void valueForInvertsTheWindowForEveryGreyLevel() {
        for (HounsfieldWindow w : new HounsfieldWindow[] {HounsfieldWindow.LUNG, new HounsfieldWindow(40, 400),
                new HounsfieldWindow(-600, 256)}) {
            for (int g = 0; g < 256; g++) {
                assertThat(w.grey(w.valueFor(g))).as(w + " grey " + g).isEqualTo(g);
            }
        }
        assertThatThrownBy(() -> new HounsfieldWindow(0, 0.5)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rendersHounsfieldUnitsFromRescaleSlopeAndIntercept() {
        // Stored 32 with slope 25 and intercept -1400 is -600 HU: the lung level, mid grey.
        short[] samples = new short[24 * 16];
        java.util.Arrays.fill(samples, (short) 32);
        samples[1] = 0; // -1400 HU: below the window, black
        samples[2] = 80; // 600 HU: above, white
        DicomImage image = decode(TestDicom.slice().rescale(25.0, -1400.0).samples(samples).bytes());
        GreyImage grey = DicomWindowing.DEFAULT.render(image);
        assertThat(image.modalityValue(0, 0)).isEqualTo(-600.0);
        assertThat(grey.at(0, 0)).isEqualTo(128);
        assertThat(grey.at(1, 0)).isEqualTo(0);
        assertThat(grey.at(2, 0)).isEqualTo(255);
    }

    @Test
    void signedValuesAreSignExtendedFromBitsStored() {
        short[] samples = new short[24 * 16];
        samples[0] = (short) 0x0FFF; // -1 in 12-bit two's complement
        samples[1] = (short) 0x0800; // -2048
        DicomImage image = decode(TestDicom.slice().bits(16, 12, true).rescale(1.0, 0.0).samples(samples).bytes());
        assertThat(image.storedValue(0, 0)).isEqualTo(-1);
        assertThat(image.storedValue(1, 0)).isEqualTo(-2048);
        assertThat(image.storedValue(2, 0)).isZero();
    }

    @Test
    void monochrome1IsInvertedSoThatAirIsDark() {
        TestDicom slice = TestDicom.slice().seed(3);
        GreyImage mono2 = DicomWindowing.DEFAULT.render(decode(slice.bytes()));
        GreyImage mono1 = DicomWindowing.DEFAULT.render(decode(TestDicom.slice().seed(3)
                .photometric(PixelModule.MONOCHROME1).bytes()));
        for (int i = 0; i < mono2.pixels().length; i++) {
            assertThat((mono1.pixels()[i] & 0xFF) + (mono2.pixels()[i] & 0xFF)).isEqualTo(255);
        }
    }

    @Test
    void usesTheFilesOwnWindowOnlyWhenAskedTo() {
        byte[] file = TestDicom.slice().window(40, 400).bytes(); // a soft-tissue window in the file
        DicomImage image = decode(file);
        DicomWindowing fileFirst = new DicomWindowing(HounsfieldWindow.LUNG, true);
        assertThat(DicomWindowing.DEFAULT.windowFor(image.module())).isEqualTo(HounsfieldWindow.LUNG);
        assertThat(fileFirst.windowFor(image.module())).isEqualTo(new HounsfieldWindow(40, 400));
        // Without a window in the file, the configured one.
        assertThat(fileFirst.windowFor(decode(TestDicom.slice().bytes()).module())).isEqualTo(HounsfieldWindow.LUNG);
    }

    @Test
    void takesEightBitDisplayValuesWithoutRescaleAsTheyAre() {
        // A Secondary Capture export (no Rescale Slope/Intercept): the grey of the PNG it came from.
        TestDicom slice = TestDicom.slice().bits(8, 8, false).rescale(null, null);
        GreyImage grey = DicomWindowing.DEFAULT.render(decode(slice.bytes()));
        assertThat(grey).isEqualTo(TestDicom.grey(slice.samples(), 24, 16));
    }

    @Test
    void scalesDeeperDisplayValuesOverTheirRange() {
        short[] samples = new short[24 * 16];
        samples[0] = 4095;
        samples[1] = 2048;
        GreyImage grey = DicomWindowing.DEFAULT.render(decode(TestDicom.slice().rescale(null, null).samples(samples).bytes()));
        assertThat(grey.at(0, 0)).isEqualTo(255);
        assertThat(grey.at(1, 0)).isEqualTo(128);
        assertThat(grey.at(2, 0)).isEqualTo(0);
    }
}
