package io.scanstream.review.remote;

import com.fasterxml.jackson.databind.JsonNode;
import io.scanstream.core.contract.Json;
import io.scanstream.core.imaging.GreyImage;
import io.scanstream.review.domain.Explanations;
import io.scanstream.review.domain.RemoteServiceException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Base64;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The saliency client against a stub of inference's {@code POST /explanations} contract. */
class InferenceExplanationsTest {

    private static final GreyImage IMAGE = new GreyImage(2, 2, new byte[] {0, 1, 2, (byte) 255});

    @Test
    void sendsTheImageAndVersionAndReadsTheCamGrid() throws Exception {
        try (StubServer inference = new StubServer()) {
            inference.on("POST /explanations", StubServer.Reply.json(200, """
                    {"scanId":"s1","modelVersion":"v2","backboneId":"mobilenet_v2:abc","layer":"features.18",
                     "probability":0.8,"gridWidth":2,"gridHeight":1,"cam":[0.25,1.0]}"""));
            var explanation = new InferenceExplanations(inference.uri(), Duration.ofSeconds(5))
                    .explain("s1", "v2", IMAGE, Optional.of("tok"));

            assertThat(explanation).isInstanceOfSatisfying(Explanations.Computed.class, c -> {
                assertThat(c.cam()).containsExactly(0.25f, 1.0f);
                assertThat(c.gridWidth()).isEqualTo(2);
                assertThat(c.layer()).isEqualTo("features.18");
            });
            JsonNode sent = Json.MAPPER.readTree(inference.calls.get(0).body());
            assertThat(sent.get("scanId").asText()).isEqualTo("s1");
            assertThat(sent.get("modelVersion").asText()).isEqualTo("v2");
            assertThat(sent.get("width").asInt()).isEqualTo(2);
            assertThat(Base64.getDecoder().decode(sent.get("pixels").asText())).isEqualTo(IMAGE.pixels());
            assertThat(inference.calls.get(0).authorization()).isEqualTo("Bearer tok");
        }
    }

    @Test
    void aVersionNoLongerServedIsAnAnswerNotAnError() throws Exception {
        try (StubServer inference = new StubServer()) {
            inference.on("POST /explanations", StubServer.Reply.json(409,
                    "{\"error\":\"version v1 is not served\",\"servedVersion\":\"v3\"}"));
            var explanation = new InferenceExplanations(inference.uri(), Duration.ofSeconds(5))
                    .explain("s1", "v1", IMAGE, Optional.empty());
            assertThat(explanation).isEqualTo(new Explanations.VersionNotServed("version v1 is not served", "v3"));
        }
    }

    @Test
    void refusesAGridThatDoesNotMatchItsValues() throws Exception {
        try (StubServer inference = new StubServer()) {
            inference.on("POST /explanations", StubServer.Reply.json(200,
                    "{\"gridWidth\":3,\"gridHeight\":3,\"cam\":[0.1]}"));
            assertThatThrownBy(() -> new InferenceExplanations(inference.uri(), Duration.ofSeconds(5))
                    .explain("s1", "v1", IMAGE, Optional.empty()))
                    .isInstanceOf(RemoteServiceException.class).hasMessageContaining("3x3 grid and 1 cam values");
        }
    }
}
