package io.scanstream.model.backbone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.scanstream.core.imaging.GreyImage;
import io.scanstream.model.DjlEnvironment;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class InputTensorsTest {

    @BeforeAll
    static void offline() {
        DjlEnvironment.configure();
    }

    @Test
    void normalisesEachGreyPixelWithTheImageNetStatisticsOfEachChannel() {
        // pixel (0,0) = 255, (1,0) = 0, (0,1) = 51 (0.2)
        GreyImage image = new GreyImage(2, 2, new byte[] {(byte) 255, 0, 51, 0});
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            NDArray batch = InputTensors.normalisedBatch(manager, List.of(image), 1);

            assertThat(batch.getShape()).isEqualTo(new Shape(1, 3, 2, 2));
            float[] v = batch.toFloatArray();
            // layout [n][c][y][x]: channel c starts at c * 4
            assertThat(v[0]).isCloseTo((1 - 0.485f) / 0.229f, within(1e-6f));
            assertThat(v[4]).isCloseTo((1 - 0.456f) / 0.224f, within(1e-6f));
            assertThat(v[8]).isCloseTo((1 - 0.406f) / 0.225f, within(1e-6f));
            assertThat(v[1]).isCloseTo(-0.485f / 0.229f, within(1e-6f));
            assertThat(v[2]).isCloseTo((0.2f - 0.485f) / 0.229f, within(1e-6f));
            assertThat(v[10]).isCloseTo((0.2f - 0.406f) / 0.225f, within(1e-6f));
        }
    }

    @Test
    void padsTheBatchToTheRequestedSizeWithBlackImages() {
        GreyImage white = new GreyImage(2, 2, new byte[] {(byte) 255, (byte) 255, (byte) 255, (byte) 255});
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            NDArray batch = InputTensors.normalisedBatch(manager, List.of(white), 4);

            assertThat(batch.getShape()).isEqualTo(new Shape(4, 3, 2, 2));
            float[] v = batch.toFloatArray();
            assertThat(v[0]).isCloseTo((1 - 0.485f) / 0.229f, within(1e-6f));
            assertThat(v[12]).isCloseTo(-0.485f / 0.229f, within(1e-6f)); // first pixel of the first padding row
            assertThat(v[47]).isCloseTo(-0.406f / 0.225f, within(1e-6f));
        }
    }

    @Test
    void refusesMoreImagesThanThePaddedSize() {
        GreyImage image = new GreyImage(2, 2, new byte[4]);
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            assertThatThrownBy(() -> InputTensors.normalisedBatch(manager, List.of(image, image, image), 2))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("padTo=2");
        }
    }

    @Test
    void refusesImagesOfDifferentSizesInOneBatch() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            List<GreyImage> mixed = List.of(new GreyImage(2, 2, new byte[4]), new GreyImage(3, 2, new byte[6]));
            assertThatThrownBy(() -> InputTensors.normalisedBatch(manager, mixed, 2))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("mixed image sizes");
        }
    }
}
