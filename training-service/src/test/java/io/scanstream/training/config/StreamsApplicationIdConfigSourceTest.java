package io.scanstream.training.config;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigValue;
import org.eclipse.microprofile.config.spi.ConfigSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;

/** The Kafka Streams application id follows the configured backbone: architecture, weights and readout. */
class StreamsApplicationIdConfigSourceTest {

    @TempDir
    Path dir;

    @Test
    void everyPartOfTheBackboneIdentityGivesItsOwnApplicationId() throws Exception {
        Path weights = Files.write(dir.resolve("backbone.params"), new byte[] {9, 9, 9});
        String weightsPath = weights.toString();

        String plain = applicationId(Map.of("training.model.backbone-weights", weightsPath));
        String multiScale = applicationId(Map.of("training.model.backbone-weights", weightsPath,
                "training.model.backbone-readout", "multi-scale"));
        String random = applicationId(Map.of());
        String resnet = applicationId(Map.of("training.model.backbone", "resnet34"));

        assertThat(plain).startsWith("training-service-mobilenet_v2-").doesNotContain("-ms-");
        assertThat(multiScale).isEqualTo(plain.replace("mobilenet_v2-", "mobilenet_v2-ms-"));
        assertThat(random).isEqualTo("training-service-mobilenet_v2-random");
        assertThat(resnet).isEqualTo("training-service-resnet34-random");
    }

    @Test
    void offersNothingForAnUnknownReadoutSoThatStartUpFailsWithThePreciseReason() {
        assertThat(sources(Map.of("training.model.backbone-readout", "pyramid"))).isEmpty();
    }

    private static String applicationId(Map<String, String> config) {
        List<ConfigSource> sources = sources(config);
        assertThat(sources).hasSize(1);
        return sources.get(0).getValue(StreamsApplicationIdConfigSource.APPLICATION_ID);
    }

    private static List<ConfigSource> sources(Map<String, String> config) {
        ConfigSourceContext context = new ConfigSourceContext() {
            @Override
            public ConfigValue getValue(String name) {
                String value = config.get(name);
                return value == null ? null : ConfigValue.builder().withName(name).withValue(value).build();
            }

            @Override
            public Iterator<String> iterateNames() {
                return config.keySet().iterator();
            }
        };
        return StreamSupport.stream(new StreamsApplicationIdConfigSource().getConfigSources(context).spliterator(),
                false).toList();
    }
}
