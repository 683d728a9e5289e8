package io.scanstream.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.scanstream.core.contract.TopicSpec;
import io.scanstream.core.contract.Topics;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The deployment files agree with the code: Kubernetes (rendered with {@code kubectl kustomize}, parsed with the
 * fabric8 model) and compose create the contract's topics with its configs, probe real health paths, and keep
 * images, ports and autoscaling limits consistent.
 */
class DeploymentConfigTest {

    /** The health endpoints SmallRye Health serves (the end-to-end test checks they answer on every service). */
    static final Set<String> HEALTH_PATHS = Set.of("/q/health/started", "/q/health/live", "/q/health/ready");
    static final Map<String, Integer> SERVICE_PORTS = Map.of("ingest-service", 8081, "inference-service", 8082,
            "training-service", 8083);
    static final Map<String, String> CONSUMER_GROUPS = Map.of("ingest-service", "ingest-service",
            "inference-service", "inference-service");

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu"})
    void kubernetesOverlaysProbeRealHealthPathsOnTheServicePorts(String overlay) throws Exception {
        List<JsonNode> docs = render(overlay);
        List<Deployment> deployments = ofKind(docs, "Deployment", Deployment.class);
        assertThat(deployments).extracting(d -> d.getMetadata().getName())
                .containsExactlyInAnyOrderElementsOf(SERVICE_PORTS.keySet());
        for (Deployment deployment : deployments) {
            String name = deployment.getMetadata().getName();
            Container container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
            int port = SERVICE_PORTS.get(name);
            assertThat(container.getPorts()).singleElement().satisfies(p -> {
                assertThat(p.getName()).isEqualTo("http");
                assertThat(p.getContainerPort()).isEqualTo(port);
            });
            for (Probe probe : List.of(container.getStartupProbe(), container.getLivenessProbe(), container.getReadinessProbe())) {
                assertThat(probe).as(name + " probes").isNotNull();
                assertThat(probe.getHttpGet().getPath()).isIn(HEALTH_PATHS);
                assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("http");
            }
            assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/q/health/ready");
            assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/q/health/live");
            assertThat(container.getImage()).startsWith("scanstream/" + name + ":");
            assertThat(container.getEnv()).anySatisfy(e -> {
                assertThat(e.getName()).isEqualTo("QUARKUS_HTTP_PORT");
                assertThat(e.getValue()).isEqualTo(String.valueOf(port));
            });
            assertThat(container.getResources().getLimits()).containsKeys("cpu", "memory");
            assertThat(deployment.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();
        }
        List<Service> services = ofKind(docs, "Service", Service.class);
        for (Service service : services) {
            int port = SERVICE_PORTS.get(service.getMetadata().getName());
            assertThat(service.getSpec().getPorts()).singleElement().satisfies(p -> {
                assertThat(p.getPort()).isEqualTo(port);
                assertThat(p.getTargetPort().getStrVal()).isEqualTo("http");
            });
        }
        assertThat(byKind(docs, "PodDisruptionBudget")).hasSize(3);
        assertThat(byKind(docs, "ServiceMonitor")).singleElement()
                .satisfies(m -> assertThat(m.at("/spec/endpoints/0/path").asText()).isEqualTo("/q/metrics"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu"})
    void kubernetesTopicsEqualTheContract(String overlay) throws Exception {
        Map<String, TopicSpec> topics = new TreeMap<>();
        for (JsonNode topic : byKind(render(overlay), "KafkaTopic")) {
            Map<String, String> configs = new HashMap<>();
            topic.at("/spec/config").fields().forEachRemaining(f -> configs.put(f.getKey(), f.getValue().asText()));
            topics.put(topic.at("/metadata/name").asText(),
                    new TopicSpec(topic.at("/metadata/name").asText(), topic.at("/spec/partitions").asInt(), configs));
        }
        assertThat(topics.values()).containsExactlyInAnyOrderElementsOf(Topics.ALL);
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu"})
    void autoscalingFollowsLagOfTheRightGroupAndNeverExceedsThePartitions(String overlay) throws Exception {
        List<JsonNode> scaled = byKind(render(overlay), "ScaledObject");
        assertThat(scaled).hasSize(2);
        for (JsonNode object : scaled) {
            String target = object.at("/spec/scaleTargetRef/name").asText();
            JsonNode trigger = object.at("/spec/triggers/0");
            assertThat(trigger.at("/type").asText()).isEqualTo("kafka");
            assertThat(trigger.at("/metadata/consumerGroup").asText()).isEqualTo(CONSUMER_GROUPS.get(target));
            TopicSpec topic = Topics.byName(trigger.at("/metadata/topic").asText());
            assertThat(object.at("/spec/maxReplicaCount").asInt()).isLessThanOrEqualTo(topic.partitions());
        }
        assertThat(scaled).extracting(o -> o.at("/metadata/name").asText())
                .containsExactlyInAnyOrder("ingest-service", "inference-service");
    }

    @Test
    void gpuOverlayRunsInferenceOnAGpuWithTheCudaImage() throws Exception {
        Deployment inference = ofKind(render("gpu"), "Deployment", Deployment.class).stream()
                .filter(d -> d.getMetadata().getName().equals("inference-service")).findFirst().orElseThrow();
        Container container = inference.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(container.getImage()).endsWith("-cuda");
        assertThat(container.getResources().getLimits()).containsEntry("nvidia.com/gpu", new Quantity("1"));
        Deployment cpuInference = ofKind(render("cpu"), "Deployment", Deployment.class).stream()
                .filter(d -> d.getMetadata().getName().equals("inference-service")).findFirst().orElseThrow();
        assertThat(cpuInference.getSpec().getTemplate().getSpec().getContainers().get(0).getResources().getLimits())
                .doesNotContainKey("nvidia.com/gpu");
    }

    /** ONNX Runtime runs the backbone on CPU nodes and in compose (the fast path there), libtorch on GPU nodes. */
    @Test
    void theBackboneRunsOnOnnxRuntimeOnCpusAndOnPyTorchOnGpus() throws Exception {
        Map<String, String> expected = Map.of("cpu", "onnxruntime", "gpu", "pytorch");
        for (Map.Entry<String, String> overlay : expected.entrySet()) {
            List<JsonNode> docs = render(overlay.getKey());
            assertThat(byKind(docs, "ConfigMap").get(0).at("/data/INFERENCE_MODEL_BACKBONE_ENGINE").asText())
                    .isIn("auto", "onnxruntime", "pytorch");
            Container inference = ofKind(docs, "Deployment", Deployment.class).stream()
                    .filter(d -> d.getMetadata().getName().equals("inference-service")).findFirst().orElseThrow()
                    .getSpec().getTemplate().getSpec().getContainers().get(0);
            assertThat(inference.getEnv()).as(overlay.getKey()).anySatisfy(e -> {
                assertThat(e.getName()).isEqualTo("INFERENCE_MODEL_BACKBONE_ENGINE");
                assertThat(e.getValue()).isEqualTo(overlay.getValue());
            });
        }
        JsonNode compose = YAML.readTree(Files.readString(Repository.root().resolve("docker/compose.yaml")));
        assertThat(compose.at("/services/inference-service/environment/INFERENCE_MODEL_BACKBONE_ENGINE").asText())
                .isEqualTo("${SCANSTREAM_BACKBONE_ENGINE:-onnxruntime}");
    }

    @Test
    void kubernetesConfigCarriesTheBrokerAndThePseudonymisationSecret() throws Exception {
        List<JsonNode> docs = render("cpu");
        assertThat(byKind(docs, "ConfigMap")).singleElement().satisfies(c ->
                assertThat(c.at("/data/KAFKA_BOOTSTRAP_SERVERS").asText()).isEqualTo("scanstream-kafka-bootstrap:9092"));
        assertThat(byKind(docs, "Secret")).singleElement().satisfies(s ->
                assertThat(s.at("/stringData/INGEST_PSEUDONYMISATION_KEY").isMissingNode()).isFalse());
        assertThat(byKind(docs, "Kafka")).singleElement()
                .satisfies(k -> assertThat(k.at("/metadata/name").asText()).isEqualTo("scanstream"));
    }

    /** A head is served only on the backbone id it was trained on: architecture, weights and readout must agree. */
    @Test
    void inferenceAndTrainingAreConfiguredForTheSameBackbone() throws Exception {
        for (String overlay : List.of("cpu", "gpu")) {
            JsonNode data = byKind(render(overlay), "ConfigMap").get(0).get("data");
            for (String key : List.of("MODEL_BACKBONE", "MODEL_BACKBONE_WEIGHTS", "MODEL_BACKBONE_READOUT")) {
                assertThat(data.path("INFERENCE_" + key).asText()).as("%s INFERENCE_%s", overlay, key).isNotEmpty()
                        .isEqualTo(data.path("TRAINING_" + key).asText());
            }
            assertThat(data.path("INFERENCE_MODEL_BACKBONE_READOUT").asText()).isIn("final", "multi-scale");
        }
        JsonNode compose = YAML.readTree(Files.readString(Repository.root().resolve("docker/compose.yaml")));
        for (String key : List.of("MODEL_BACKBONE", "MODEL_BACKBONE_WEIGHTS", "MODEL_BACKBONE_READOUT")) {
            assertThat(compose.at("/services/inference-service/environment/INFERENCE_" + key).asText())
                    .as("compose INFERENCE_%s", key).isNotEmpty()
                    .isEqualTo(compose.at("/services/training-service/environment/TRAINING_" + key).asText());
        }
    }

    @Test
    void composeCreatesTheContractTopicsAndPublishesTheServicePorts() throws Exception {
        JsonNode compose = YAML.readTree(Files.readString(Repository.root().resolve("docker/compose.yaml")));
        String script = compose.at("/services/kafka-topics/command/0").asText();
        Pattern create = Pattern.compile("create --topic (\\S+) --partitions (\\d+)((?: --config \\S+)*)");
        Map<String, TopicSpec> topics = new LinkedHashMap<>();
        Matcher m = create.matcher(script);
        while (m.find()) {
            Map<String, String> configs = new HashMap<>();
            for (String config : m.group(3).trim().split("\\s*--config\\s+")) {
                if (!config.isBlank()) {
                    String[] kv = config.trim().split("=", 2);
                    configs.put(kv[0], kv[1]);
                }
            }
            topics.put(m.group(1), new TopicSpec(m.group(1), Integer.parseInt(m.group(2)), configs));
        }
        assertThat(topics.values()).containsExactlyInAnyOrderElementsOf(Topics.ALL);
        SERVICE_PORTS.forEach((service, port) -> {
            assertThat(compose.at("/services/" + service + "/ports/0").asText()).isEqualTo(port + ":" + port);
            assertThat(compose.at("/services/" + service + "/build/args/PORT").asText()).isEqualTo(String.valueOf(port));
        });
        String prometheus = Files.readString(Repository.root().resolve("docker/prometheus/prometheus.yml"));
        SERVICE_PORTS.forEach((service, port) -> assertThat(prometheus).contains(service + ":" + port));
    }

    /**
     * One way to name topics in every service: {@code scanstream.topics.<name>} (TopicNames, defaults from Topics).
     * A channel binds its topic by reference to it; no service has topic keys of its own or restates a name.
     */
    @ParameterizedTest
    @ValueSource(strings = {"ingest-service", "inference-service", "training-service"})
    void servicesNameTopicsOnlyThroughTheSharedTopicKeys(String service) throws Exception {
        java.util.Properties properties = new java.util.Properties();
        try (var in = Files.newBufferedReader(Repository.root().resolve(service
                + "/src/main/resources/application.properties"))) {
            properties.load(in);
        }
        Pattern reference = Pattern.compile("\\$\\{scanstream\\.topics\\.(\\w+)}");
        for (String key : properties.stringPropertyNames()) {
            String value = properties.getProperty(key);
            if (key.endsWith(".topic") || key.endsWith(".topics")) {
                Matcher m = reference.matcher(value);
                assertThat(m.find()).as(service + ": " + key + "=" + value + " binds by reference").isTrue();
            }
            assertThat(key).as(service + ": topic keys live under scanstream.topics only")
                    .doesNotMatch("(ingest|inference|training)\\.(topics\\..*|rejected-topic)");
            for (TopicSpec topic : Topics.ALL) {
                assertThat(value).as(service + ": " + key + " restates a topic name").doesNotContain(topic.name());
            }
        }
    }

    @Test
    void composeBrokerAcceptsTheContractsLargestScanRecord() throws Exception {
        JsonNode compose = YAML.readTree(Files.readString(Repository.root().resolve("docker/compose.yaml")));
        assertThat(compose.at("/services/kafka/environment/KAFKA_MESSAGE_MAX_BYTES").asInt())
                .isEqualTo(Topics.SCAN_MAX_MESSAGE_BYTES);
    }

    @Test
    void composeFileIsValidForDockerCompose() throws Exception {
        Assumptions.assumeTrue(Repository.onPath("docker-compose"),
                "docker-compose (Debian package) is not installed here; .ci/run installs it and validates the file");
        String rendered = Repository.run(List.of("env", "SCANSTREAM_PSEUDONYMISATION_KEY=test", "docker-compose",
                "-f", "docker/compose.yaml", "config"));
        assertThat(rendered).contains("ingest-service", "inference-service", "training-service", "prometheus", "grafana");
    }

    @Test
    void alertRulesAreValidForPrometheus() throws Exception {
        Assumptions.assumeTrue(Repository.onPath("promtool"),
                "promtool (Debian package prometheus) is not installed here; .ci/run installs it and checks the rules");
        assertThat(Repository.run(List.of("promtool", "check", "rules", "docker/prometheus/alerts.yml"))).contains("SUCCESS");
    }

    static List<JsonNode> render(String overlay) throws IOException, InterruptedException {
        Assumptions.assumeTrue(Repository.onPath("kubectl"),
                "kubectl is not installed here; .ci/run requires it and renders every overlay");
        String yaml = Repository.run(List.of("kubectl", "kustomize", "k8s/overlays/" + overlay));
        List<JsonNode> docs = new ArrayList<>();
        try (var parser = YAML.getFactory().createParser(yaml)) {
            YAML.readValues(parser, JsonNode.class).forEachRemaining(docs::add);
        }
        return docs;
    }

    static List<JsonNode> byKind(List<JsonNode> docs, String kind) {
        return docs.stream().filter(d -> kind.equals(d.path("kind").asText())).toList();
    }

    static <T> List<T> ofKind(List<JsonNode> docs, String kind, Class<T> type) {
        return byKind(docs, kind).stream().map(d -> YAML.convertValue(d, type)).toList();
    }
}
