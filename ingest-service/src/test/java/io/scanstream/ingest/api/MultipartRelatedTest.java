package io.scanstream.ingest.api;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MultipartRelatedTest {

    private static final String TYPE = "multipart/related; type=\"application/dicom\"; boundary=XyZ";

    @Test
    void splitsABodyIntoItsPartsWithPreambleHeadersAndBinaryContent() throws Exception {
        byte[] body = ("ignored preamble\r\n--XyZ\r\nContent-Type: application/dicom\r\nContent-Location: a\r\n\r\n"
                + "first\r\n--XyZ\r\ncontent-type: Application/DICOM; transfer-syntax=1.2.840.10008.1.2.1\r\n\r\n"
                + "sec\r\nond--XyZ\r\n--XyZ--\r\nepilogue").getBytes(StandardCharsets.ISO_8859_1);
        List<MultipartRelated.Part> parts = MultipartRelated.parse(MultipartRelated.boundary(TYPE), body);
        assertThat(parts).hasSize(2);
        assertThat(new String(parts.get(0).body(), StandardCharsets.US_ASCII)).isEqualTo("first");
        assertThat(parts.get(0).headers()).containsEntry("content-location", "a");
        assertThat(parts.get(1).mediaType()).contains("application/dicom");
        // CRLF and a boundary-like string inside content do not end the part; only CRLF--boundary does.
        assertThat(new String(parts.get(1).body(), StandardCharsets.US_ASCII)).isEqualTo("sec\r\nond--XyZ");
    }

    @Test
    void acceptsAPartWithoutHeaders() throws Exception {
        byte[] body = "--b\r\n\r\nraw\r\n--b--".getBytes(StandardCharsets.US_ASCII);
        List<MultipartRelated.Part> parts = MultipartRelated.parse("b", body);
        assertThat(parts).singleElement().satisfies(p -> {
            assertThat(p.mediaType()).isEmpty();
            assertThat(new String(p.body(), StandardCharsets.US_ASCII)).isEqualTo("raw");
        });
    }

    @Test
    void refusesOtherMediaTypesAndBodiesWithoutClosingBoundary() {
        assertThatThrownBy(() -> MultipartRelated.boundary("multipart/form-data; boundary=x"))
                .isInstanceOf(MultipartRelated.UnsupportedMediaType.class).hasMessageContaining("multipart/form-data");
        assertThatThrownBy(() -> MultipartRelated.boundary("multipart/related; type=\"application/dicom+xml\"; boundary=x"))
                .isInstanceOf(MultipartRelated.UnsupportedMediaType.class).hasMessageContaining("dicom+xml");
        assertThatThrownBy(() -> MultipartRelated.boundary("multipart/related; type=application/dicom"))
                .isInstanceOf(MultipartRelated.UnsupportedMediaType.class).hasMessageContaining("boundary");
        assertThatThrownBy(() -> MultipartRelated.boundary(null)).isInstanceOf(MultipartRelated.UnsupportedMediaType.class);
        assertThatThrownBy(() -> MultipartRelated.parse("b", "--b\r\nContent-Type: application/dicom\r\n\r\ntrunc"
                .getBytes(StandardCharsets.US_ASCII))).isInstanceOf(MultipartRelated.Malformed.class)
                .hasMessageContaining("truncated");
        assertThatThrownBy(() -> MultipartRelated.parse("b", "no boundary here".getBytes(StandardCharsets.US_ASCII)))
                .isInstanceOf(MultipartRelated.Malformed.class);
    }
}
