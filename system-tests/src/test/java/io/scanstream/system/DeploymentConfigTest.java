package io.scanstream.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.scanstream.core.contract.KafkaAccess;
import io.scanstream.core.contract.TopicSpec;
import io.scanstream.core.contract.Topics;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.math.BigDecimal;
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
            "training-service", 8083, "review-service", 8084);
    /** Health and metrics: the management interface of each service (application.properties' security block). */
    static final Map<String, Integer> MANAGEMENT_PORTS = Map.of("ingest-service", 9081, "inference-service", 9082,
            "training-service", 9083, "review-service", 9084);
    static final Map<String, String> CONSUMER_GROUPS = Map.of("ingest-service", "ingest-service",
            "inference-service", "inference-service");

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /**
     * What each service keeps outside its heap, MiB: measured peaks (docs/operations.md, "Memory"; under glibc's
     * settings libtorch's and ONNX Runtime's memory stays at its peak, in training until a fine-tuning run ends) with a
     * margin: ingest ~380, inference ~680 (two swaps
     * and explanations on libtorch), training 4 163 (the resident peak of ten fine-tuning runs back to back, its heap
     * counted as outside it), review ~250.
     */
    private static final Map<String, Long> OUTSIDE_THE_HEAP_MIB = Map.of("ingest-service", 480L,
            "inference-service", 1_536L, "training-service", 4_608L, "review-service", 256L);

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu"})
    void kubernetesOverlaysProbeRealHealthPathsOnTheManagementPorts(String overlay) throws Exception {
        List<JsonNode> docs = render(overlay);
        List<Deployment> deployments = ofKind(docs, "Deployment", Deployment.class);
        assertThat(deployments).extracting(d -> d.getMetadata().getName())
                .containsExactlyInAnyOrderElementsOf(SERVICE_PORTS.keySet());
        for (Deployment deployment : deployments) {
            String name = deployment.getMetadata().getName();
            Container container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
            int port = SERVICE_PORTS.get(name);
            int management = MANAGEMENT_PORTS.get(name);
            Map<String, Integer> ports = new HashMap<>();
            container.getPorts().forEach(p -> ports.put(p.getName(), p.getContainerPort()));
            assertThat(ports).isEqualTo(Map.of("http", port, "management", management));
            for (Probe probe : List.of(container.getStartupProbe(), container.getLivenessProbe(), container.getReadinessProbe())) {
                assertThat(probe).as(name + " probes").isNotNull();
                assertThat(probe.getHttpGet().getPath()).isIn(HEALTH_PATHS);
                assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("management");
            }
            assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/q/health/ready");
            assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/q/health/live");
            assertThat(container.getImage()).startsWith("scanstream/" + name + ":");
            assertThat(container.getEnv()).anySatisfy(e -> {
                assertThat(e.getName()).isEqualTo("QUARKUS_HTTP_PORT");
                assertThat(e.getValue()).isEqualTo(String.valueOf(port));
            });
            assertThat(container.getEnv()).anySatisfy(e -> {
                assertThat(e.getName()).isEqualTo("QUARKUS_MANAGEMENT_PORT");
                assertThat(e.getValue()).isEqualTo(String.valueOf(management));
            });
            assertThat(container.getResources().getLimits()).containsKeys("cpu", "memory");
        }
        List<Service> services = ofKind(docs, "Service", Service.class);
        for (Service service : services) {
            String name = service.getMetadata().getName();
            Map<String, Integer> ports = new HashMap<>();
            service.getSpec().getPorts().forEach(p -> {
                assertThat(p.getTargetPort().getStrVal()).isEqualTo(p.getName());
                ports.put(p.getName(), p.getPort());
            });
            assertThat(ports).isEqualTo(Map.of("http", SERVICE_PORTS.get(name), "management", MANAGEMENT_PORTS.get(name)));
        }
        assertThat(byKind(docs, "PodDisruptionBudget")).hasSize(4);
        assertThat(byKind(docs, "ServiceMonitor")).singleElement().satisfies(m -> {
            assertThat(m.at("/spec/endpoints/0/path").asText()).isEqualTo("/q/metrics");
            assertThat(m.at("/spec/endpoints/0/port").asText()).isEqualTo("management");
        });
    }

    /**
     * Pods: non-root, seccomp RuntimeDefault, a read-only root file system with every capability dropped, and
     * writable emptyDirs exactly where the JVM, JNA, DJL's libtorch and RocksDB write.
     */
    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu"})
    void kubernetesPodsRunLockedDown(String overlay) throws Exception {
        for (Deployment deployment : ofKind(render(overlay), "Deployment", Deployment.class)) {
            String name = deployment.getMetadata().getName();
            var pod = deployment.getSpec().getTemplate().getSpec();
            assertThat(pod.getSecurityContext().getRunAsNonRoot()).as(name).isTrue();
            assertThat(pod.getSecurityContext().getSeccompProfile().getType()).as(name).isEqualTo("RuntimeDefault");
            Container container = pod.getContainers().get(0);
            var context = container.getSecurityContext();
            assertThat(context.getReadOnlyRootFilesystem()).as(name).isTrue();
            assertThat(context.getAllowPrivilegeEscalation()).as(name).isFalse();
            assertThat(context.getCapabilities().getDrop()).as(name).containsExactly("ALL");
            Map<String, String> mounts = new HashMap<>();
            container.getVolumeMounts().forEach(m -> mounts.put(m.getMountPath(), m.getName()));
            Set<String> emptyDirs = new java.util.HashSet<>();
            pod.getVolumes().stream().filter(v -> v.getEmptyDir() != null).forEach(v -> emptyDirs.add(v.getName()));
            List<String> writable = new ArrayList<>(List.of("/tmp"));
            if (!name.equals("ingest-service") && !name.equals("review-service")) {
                writable.add("/var/cache/djl"); // libtorch unpacks here (DJL_CACHE_DIR)
            }
            if (name.equals("training-service")) {
                writable.add("/var/lib/scanstream"); // Kafka Streams' RocksDB state, reports
            }
            for (String path : writable) {
                assertThat(mounts).as(name + " mounts").containsKey(path);
                assertThat(emptyDirs).as(name + " " + path + " is an emptyDir").contains(mounts.get(path));
            }
        }
    }

    /**
     * Only the paths the data flow needs: every service pod denies by default, reaches DNS, the brokers' TLS +
     * SCRAM port and HTTPS (the identity provider's keys); its management port is open to Prometheus' namespace only.
     */
    @Test
    void networkPoliciesDenyByDefaultAndOpenOnlyTheDataFlow() throws Exception {
        List<JsonNode> policies = byKind(render("cpu"), "NetworkPolicy");
        JsonNode deny = policies.stream().filter(p -> p.at("/metadata/name").asText().equals("scanstream-default-deny"))
                .findFirst().orElseThrow();
        assertThat(deny.at("/spec/policyTypes").toString()).contains("Ingress", "Egress");
        assertThat(deny.at("/spec/ingress").isMissingNode()).isTrue();
        assertThat(deny.at("/spec/egress").isMissingNode()).isTrue();
        assertThat(deny.at("/spec/podSelector/matchExpressions/0/values").toString())
                .contains("ingest-service", "inference-service", "training-service", "review-service");
        JsonNode egress = policies.stream().filter(p -> p.at("/metadata/name").asText().equals("scanstream-egress"))
                .findFirst().orElseThrow();
        Set<Integer> egressPorts = new java.util.TreeSet<>();
        egress.at("/spec/egress").forEach(rule -> rule.path("ports").forEach(p -> egressPorts.add(p.path("port").asInt())));
        assertThat(egressPorts).containsExactlyInAnyOrder(53, 9093, 443);
        JsonNode metrics = policies.stream().filter(p -> p.at("/metadata/name").asText().equals("scanstream-metrics"))
                .findFirst().orElseThrow();
        assertThat(metrics.at("/spec/ingress/0/ports/0/port").asText()).isEqualTo("management");
        assertThat(metrics.at("/spec/ingress/0/from").isArray()).isTrue();
    }

    /** Kafka: no plaintext listener, TLS + SCRAM for services, mutual TLS for devices, ACLs enforced. */
    @Test
    void kubernetesKafkaAuthenticatesEveryClientOverTls() throws Exception {
        List<JsonNode> docs = render("cpu");
        JsonNode kafka = byKind(docs, "Kafka").get(0);
        Map<String, String> authentication = new HashMap<>();
        kafka.at("/spec/kafka/listeners").forEach(l -> {
            assertThat(l.path("tls").asBoolean()).as(l.path("name").asText() + " is TLS").isTrue();
            authentication.put(l.path("name").asText(), l.at("/authentication/type").asText());
        });
        assertThat(authentication).isEqualTo(Map.of("scram", "scram-sha-512", "mtls", "tls"));
        assertThat(kafka.at("/spec/kafka/authorization/type").asText()).isEqualTo("simple");
        JsonNode config = byKind(docs, "ConfigMap").get(0).get("data");
        assertThat(config.path("KAFKA_SECURITY_PROTOCOL").asText()).isEqualTo("SASL_SSL");
        assertThat(config.path("KAFKA_SASL_MECHANISM").asText()).isEqualTo("SCRAM-SHA-512");
        for (Deployment deployment : ofKind(docs, "Deployment", Deployment.class)) {
            Container container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
            assertThat(container.getEnv()).as(deployment.getMetadata().getName()).anySatisfy(e -> {
                assertThat(e.getName()).isEqualTo("KAFKA_SASL_JAAS_CONFIG");
                assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo(deployment.getMetadata().getName());
                assertThat(e.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("sasl.jaas.config");
            });
        }
        for (JsonNode scaled : byKind(docs, "ScaledObject")) {
            assertThat(scaled.at("/spec/triggers/0/metadata/bootstrapServers").asText()).endsWith(":9093");
            assertThat(scaled.at("/spec/triggers/0/authenticationRef/name").asText()).isEqualTo("keda-kafka");
        }
    }

    /** Each KafkaUser carries exactly the grants of its principal in KafkaAccess (the one home of the ACLs). */
    @Test
    void kubernetesKafkaUsersHaveExactlyTheLeastPrivilegeAcls() throws Exception {
        Map<String, List<KafkaAccess.Grant>> deployed = new TreeMap<>();
        Map<String, String> authentication = new HashMap<>();
        for (JsonNode user : byKind(render("cpu"), "KafkaUser")) {
            String name = user.at("/metadata/name").asText();
            authentication.put(name, user.at("/spec/authentication/type").asText());
            List<KafkaAccess.Grant> grants = new ArrayList<>();
            user.at("/spec/authorization/acls").forEach(acl -> {
                JsonNode resource = acl.path("resource");
                List<KafkaAccess.Operation> operations = new ArrayList<>();
                acl.path("operations").forEach(o -> operations.add(KafkaAccess.Operation.valueOf(
                        o.asText().replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(java.util.Locale.ROOT))));
                assertThat(acl.path("host").asText("*")).isEqualTo("*");
                grants.add(new KafkaAccess.Grant(
                        KafkaAccess.ResourceType.valueOf(resource.path("type").asText()
                                .replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(java.util.Locale.ROOT)),
                        resource.path("name").asText(),
                        resource.path("patternType").asText().equals("prefix") ? KafkaAccess.PatternType.PREFIXED
                                : KafkaAccess.PatternType.LITERAL, operations));
            });
            deployed.put(name, grants);
        }
        assertThat(deployed).isEqualTo(new TreeMap<>(KafkaAccess.grantsByUser()));
        assertThat(authentication).containsEntry(KafkaAccess.DEVICE, "tls");
        authentication.forEach((user, type) -> assertThat(type).as(user).isIn("tls", "scram-sha-512"));
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
        assertThat(compose.at("/services/training-service/environment/TRAINING_BACKBONES_SERVED_AS").asText())
                .isEqualTo("${SCANSTREAM_BACKBONE_SERVED_AS:-int8}");
    }

    /** Fine-tuned backbones as int8 where ONNX Runtime serves them, as float32 where PyTorch does (it runs no int8). */
    @Test
    void trainingPublishesInt8BackbonesOnlyWhereOnnxRuntimeServesThem() throws Exception {
        Map<String, String> expected = Map.of("cpu", "int8", "gpu", "float32");
        for (Map.Entry<String, String> overlay : expected.entrySet()) {
            assertThat(byKind(render(overlay.getKey()), "ConfigMap").get(0).at("/data/TRAINING_BACKBONES_SERVED_AS")
                    .asText()).as(overlay.getKey()).isEqualTo(overlay.getValue());
        }
    }

    @Test
    void kubernetesConfigCarriesTheBrokerButNoSecret() throws Exception {
        List<JsonNode> docs = render("cpu");
        assertThat(byKind(docs, "ConfigMap")).singleElement().satisfies(c -> {
            assertThat(c.at("/data/KAFKA_BOOTSTRAP_SERVERS").asText()).isEqualTo("scanstream-kafka-bootstrap:9093");
            // Keys, passwords and SASL settings come from Secrets, never a ConfigMap.
            c.get("data").fieldNames().forEachRemaining(key ->
                    assertThat(key).doesNotContainIgnoringCase("PSEUDONYMISATION").doesNotContainIgnoringCase("PASSWORD")
                            .doesNotContainIgnoringCase("JAAS").doesNotEndWith("_KEY"));
        });
        // No pseudonymisation key ships with the manifests (a committed key is a known key): the operator creates it.
        assertThat(byKind(docs, "Secret")).noneSatisfy(s ->
                assertThat(s.toString()).containsIgnoringCase("PSEUDONYMISATION"));
        Deployment ingest = ofKind(docs, "Deployment", Deployment.class).stream()
                .filter(d -> d.getMetadata().getName().equals("ingest-service")).findFirst().orElseThrow();
        assertThat(ingest.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("INGEST_PSEUDONYMISATION_KEY");
            assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("scanstream-pseudonymisation");
        });
        assertThat(byKind(docs, "Kafka")).singleElement()
                .satisfies(k -> assertThat(k.at("/metadata/name").asText()).isEqualTo("scanstream"));
    }

    /**
     * Signed model versions: the private key reaches training only (a file from the Secret the operator creates,
     * none shipped), inference trusts the public keys of a mounted ConfigMap, and no other pod mounts either.
     */
    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu"})
    void theModelSigningKeyReachesTrainingOnlyAndInferenceTrustsMountedPublicKeys(String overlay) throws Exception {
        List<JsonNode> docs = render(overlay);
        assertThat(byKind(docs, "Secret")).noneSatisfy(s ->
                assertThat(s.at("/metadata/name").asText()).isEqualTo("scanstream-model-signing"));
        for (Deployment deployment : ofKind(docs, "Deployment", Deployment.class)) {
            String name = deployment.getMetadata().getName();
            var pod = deployment.getSpec().getTemplate().getSpec();
            Container container = pod.getContainers().get(0);
            Map<String, String> env = new HashMap<>();
            container.getEnv().stream().filter(e -> e.getValue() != null).forEach(e -> env.put(e.getName(), e.getValue()));
            Map<String, String> mountOf = new HashMap<>();
            container.getVolumeMounts().forEach(m -> mountOf.put(m.getName(), m.getMountPath()));
            var signingSecret = pod.getVolumes().stream().filter(v -> v.getSecret() != null
                    && "scanstream-model-signing".equals(v.getSecret().getSecretName())).toList();
            var publicKeys = pod.getVolumes().stream().filter(v -> v.getConfigMap() != null
                    && "scanstream-model-signing-public-keys".equals(v.getConfigMap().getName())).toList();
            if (name.equals("training-service")) {
                assertThat(signingSecret).as(name).hasSize(1);
                assertThat(env.get("TRAINING_SIGNING_PRIVATE_KEY_FILE")).as(name)
                        .isEqualTo(mountOf.get(signingSecret.get(0).getName()) + "/private-key.pem");
                assertThat(env).as(name).doesNotContainKey("TRAINING_SIGNING_ENABLED");
            } else {
                assertThat(signingSecret).as(name + " must not mount the signing key").isEmpty();
            }
            if (name.equals("inference-service")) {
                assertThat(publicKeys).as(name).hasSize(1);
                assertThat(env.get("INFERENCE_SIGNING_TRUSTED_KEYS")).as(name)
                        .isEqualTo(mountOf.get(publicKeys.get(0).getName()));
                assertThat(env).as(name).doesNotContainKey("INFERENCE_SIGNING_REQUIRED");
            }
        }
    }

    /**
     * The bootstrap backbone (served until a version names a fine-tuned backbone published on models.backbones, which
     * then travels through Kafka) is configured per service: a version on it is served only where it has the id it
     * was trained on, so architecture, weights and readout must agree.
     */
    @Test
    void inferenceAndTrainingShareTheBootstrapBackbone() throws Exception {
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
    void composeCreatesTheContractTopicsAndPublishesOnlyWhatPeopleOpen() throws Exception {
        JsonNode compose = YAML.readTree(Files.readString(Repository.root().resolve("docker/compose.yaml")));
        // ${VAR:-default} as compose renders it without the variable set.
        String script = compose.at("/services/kafka-topics/command/0").asText()
                .replaceAll("\\$\\{[A-Z_]+:-([^}]*)}", "$1");
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
            assertThat(compose.at("/services/" + service + "/ports").size()).isEqualTo(1);
            assertThat(compose.at("/services/" + service + "/ports/0").asText()).isEqualTo(port + ":" + port);
            assertThat(compose.at("/services/" + service + "/build/args/PORT").asText()).isEqualTo(String.valueOf(port));
            assertThat(compose.at("/services/" + service + "/build/args/MANAGEMENT_PORT").asText())
                    .isEqualTo(String.valueOf(MANAGEMENT_PORTS.get(service)));
        });
        // Published to the host: the APIs and Grafana; not Kafka, Prometheus or any management port.
        Set<String> published = new java.util.TreeSet<>();
        compose.get("services").fields().forEachRemaining(service -> {
            if (service.getValue().has("ports")) {
                published.add(service.getKey());
            }
        });
        assertThat(published).containsExactlyInAnyOrder("ingest-service", "inference-service", "training-service",
                "review-service", "grafana");
        String prometheus = Files.readString(Repository.root().resolve("docker/prometheus/prometheus.yml"));
        MANAGEMENT_PORTS.forEach((service, port) -> assertThat(prometheus).contains(service + ":" + port));
        SERVICE_PORTS.forEach((service, port) -> assertThat(prometheus).doesNotContain(service + ":" + port));
    }

    /**
     * One way to name topics in every service: {@code scanstream.topics.<name>} (TopicNames, defaults from Topics).
     * A channel binds its topic by reference to it; no service has topic keys of its own or restates a name.
     */
    @ParameterizedTest
    @ValueSource(strings = {"ingest-service", "inference-service", "training-service", "review-service"})
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

    /** `docker compose up --scale` must not fence its own replicas: transactional ids follow the host name. */
    @Test
    void transactionalIdsAreUniquePerReplicaInCompose() throws Exception {
        JsonNode compose = YAML.readTree(Files.readString(Repository.root().resolve("docker/compose.yaml")));
        compose.get("services").fields().forEachRemaining(service -> service.getValue().path("environment").fields()
                .forEachRemaining(variable -> assertThat(variable.getKey())
                        .as("compose %s sets a fixed transactional id", service.getKey())
                        .doesNotContain("TRANSACTIONAL_ID")));
        assertThat(Files.readString(Repository.root().resolve(
                "inference-service/src/main/java/io/scanstream/inference/config/InferenceConfig.java")))
                .contains("@WithDefault(\"inference-${HOSTNAME:local}\")");
        assertThat(Files.readString(Repository.root().resolve("ingest-service/src/main/resources/application.properties")))
                .contains("transactional.id=ingest-${HOSTNAME:local}");
    }

    /**
     * Every JVM of ScanStream exits on an OutOfMemoryError (a JVM that lives on after one may have lost a worker
     * thread and hang), so compose's restart policy, Kubernetes or the local stack start it clean: both images, every
     * Kubernetes deployment of every overlay, every service in compose, the local stack's service processes and
     * broker, and the launcher.
     */
    @Test
    void everyJvmExitsOnOutOfMemoryError() throws Exception {
        String flag = "-XX:+ExitOnOutOfMemoryError";
        for (String dockerfile : List.of("docker/service.Dockerfile", "docker/inference-cuda.Dockerfile")) {
            String text = Files.readString(Repository.root().resolve(dockerfile));
            Matcher jvmOptions = Pattern.compile("(JAVA_OPTS_APPEND=\"[^\"]*\"|ENTRYPOINT \\[[^]]*])").matcher(text);
            assertThat(jvmOptions.find()).as(dockerfile + " sets the JVM's options").isTrue();
            assertThat(jvmOptions.group()).as(dockerfile).contains(flag);
        }
        JsonNode compose = YAML.readTree(Files.readString(Repository.root().resolve("docker/compose.yaml")));
        for (String service : SERVICE_PORTS.keySet()) {
            assertThat(compose.at("/services/" + service + "/environment/JAVA_TOOL_OPTIONS").asText())
                    .as("compose " + service).contains(flag);
        }
        assertThat(io.scanstream.local.ServiceProcess.jvmOptions("256m")).contains(flag);
        assertThat(Files.readString(Repository.root().resolve("local-stack/src/main/java/io/scanstream/local/KafkaBroker.java")))
                .as("the local broker's JVM").contains("\"" + flag + "\"");
        assertThat(Files.readString(Repository.root().resolve("bin/scanstream-local")))
                .as("the launcher").contains("exec java " + flag);
        for (String overlay : List.of("cpu", "gpu")) {
            for (Deployment deployment : ofKind(render(overlay), "Deployment", Deployment.class)) {
                Container container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
                assertThat(container.getEnv()).as(overlay + " " + deployment.getMetadata().getName())
                        .anySatisfy(e -> {
                            assertThat(e.getName()).isEqualTo("JAVA_TOOL_OPTIONS");
                            assertThat(e.getValue()).contains(flag);
                        });
            }
        }
    }

    /**
     * Every ScanStream JVM runs with glibc's allocator settings that keep libtorch's freed activations for the next
     * batch (their home: {@link io.scanstream.local.NativeAllocator}): both images, the local stack's service
     * processes, the test JVMs (the parent pom), evaluation/run and benchmarks/run; compose and Kubernetes take the
     * images' and set no other.
     */
    @Test
    void everyJvmRunsWithTheAllocatorSettingsThatKeepLibtorchsActivations() throws Exception {
        String settings = io.scanstream.local.NativeAllocator.SETTINGS;
        for (String dockerfile : List.of("docker/service.Dockerfile", "docker/inference-cuda.Dockerfile")) {
            assertThat(Files.readString(Repository.root().resolve(dockerfile))).as(dockerfile)
                    .contains("GLIBC_TUNABLES=" + settings + " ");
        }
        for (String script : List.of("evaluation/run", "benchmarks/run")) {
            assertThat(Files.readString(Repository.root().resolve(script))).as(script)
                    .contains("export GLIBC_TUNABLES=\"${GLIBC_TUNABLES:-" + settings + "}\"");
        }
        assertThat(Files.readString(Repository.root().resolve("pom.xml"))).as("the test JVMs (parent pom)")
                .contains("<scanstream.glibc.tunables>" + settings + "</scanstream.glibc.tunables>")
                .contains("<GLIBC_TUNABLES>${scanstream.glibc.tunables}</GLIBC_TUNABLES>");
        assertThat(io.scanstream.local.NativeAllocator.environment()).containsEntry("GLIBC_TUNABLES", settings);
        assertThat(Files.readString(Repository.root().resolve("docker/compose.yaml"))).as("compose")
                .doesNotContain("GLIBC_TUNABLES");
        for (String overlay : List.of("cpu", "gpu")) {
            for (Deployment deployment : ofKind(render(overlay), "Deployment", Deployment.class)) {
                assertThat(deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
                        .as(overlay + " " + deployment.getMetadata().getName())
                        .noneSatisfy(e -> assertThat(e.getName()).isEqualTo("GLIBC_TUNABLES"));
            }
        }
    }

    /**
     * No pod is killed for memory its heap was allowed to take: the heap's maximum plus what the service keeps outside
     * it fits the memory limit. run-java.sh (the service image's launcher) sizes the heap at JAVA_MAX_MEM_RATIO % of
     * the limit (80 % when unset, which left ingest 205 MiB for ~380 measured); the CUDA image starts plain java, whose
     * default is 25 %. Ingest's heap is the local stack's, which was sized for its worst case.
     */
    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu"})
    void everyHeapLeavesItsServiceTheMemoryItKeepsOutsideTheHeap(String overlay) throws Exception {
        for (Deployment deployment : ofKind(render(overlay), "Deployment", Deployment.class)) {
            String name = deployment.getMetadata().getName();
            Container container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
            long limitMib = Quantity.getAmountInBytes(container.getResources().getLimits().get("memory"))
                    .longValueExact() >> 20;
            String ratio = container.getEnv().stream().filter(e -> e.getName().equals("JAVA_MAX_MEM_RATIO"))
                    .map(io.fabric8.kubernetes.api.model.EnvVar::getValue).findFirst().orElse(null);
            assertThat(ratio).as(overlay + " " + name + " sets the heap's share").isNotNull();
            int percent = container.getImage().endsWith("-cuda") ? 25 : Integer.parseInt(ratio);
            long heapMib = limitMib * percent / 100;
            assertThat(limitMib - heapMib).as(overlay + " " + name + ": limit " + limitMib + " MiB, heap " + heapMib)
                    .isGreaterThanOrEqualTo(OUTSIDE_THE_HEAP_MIB.get(name));
            if (name.equals("ingest-service")) {
                // the heap the local stack sized for the worst case of concurrent uploads and decodes
                assertThat(io.scanstream.local.LocalStack.INGEST_JVM).as("ingest's heap, local and " + overlay)
                        .contains("-Xmx" + heapMib + "m");
            }
        }
    }

    /**
     * The engines size their thread pools from the CPUs the JVM sees, which is the container's CPU limit
     * (EngineThreads): without one they would count the node's cores and crowd whatever share the pod gets. So every
     * Deployment that runs a backbone has a CPU limit of whole CPUs (a fraction is rounded up, and the threads with it).
     */
    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu"})
    void everyServiceThatRunsABackboneHasACpuLimitItsEnginesThreadsFollow(String overlay) throws Exception {
        for (Deployment deployment : ofKind(render(overlay), "Deployment", Deployment.class)) {
            String name = deployment.getMetadata().getName();
            if (!List.of("inference-service", "training-service").contains(name)) {
                continue;
            }
            Quantity cpu = deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getResources()
                    .getLimits().get("cpu");
            assertThat(cpu).as(overlay + " " + name + " limits.cpu").isNotNull();
            BigDecimal cpus = Quantity.getAmountInBytes(cpu);
            assertThat(cpus.stripTrailingZeros().scale()).as(overlay + " " + name + " limits.cpu " + cpu
                    + " in whole CPUs").isLessThanOrEqualTo(0);
            assertThat(cpus.intValueExact()).as(overlay + " " + name + " limits.cpu").isPositive();
        }
    }

    /**
     * The service image's launcher (run-java.sh) chooses the parallel collector for every service; a second collector
     * in JAVA_TOOL_OPTIONS would stop the JVM ("Multiple garbage collectors selected"), so neither compose nor any
     * overlay selects one. The local stack runs ingest on the same collector (not G1, which the JVM picks on a machine
     * with 2 cores and 2 GiB or more: docs/operations.md, "JVM settings").
     */
    @Test
    void ingestRunsTheImagesCollectorAndNoDeploymentSelectsAnother() throws Exception {
        Pattern collector = Pattern.compile("-XX:\\+Use\\w*GC\\b");
        assertThat(io.scanstream.local.LocalStack.INGEST_JVM).contains("-XX:+UseParallelGC");
        JsonNode compose = YAML.readTree(Files.readString(Repository.root().resolve("docker/compose.yaml")));
        for (String service : SERVICE_PORTS.keySet()) {
            assertThat(compose.at("/services/" + service + "/environment/JAVA_TOOL_OPTIONS").asText())
                    .as("compose " + service).doesNotContainPattern(collector);
        }
        for (String overlay : List.of("cpu", "gpu")) {
            for (Deployment deployment : ofKind(render(overlay), "Deployment", Deployment.class)) {
                assertThat(deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
                        .as(overlay + " " + deployment.getMetadata().getName())
                        .allSatisfy(e -> assertThat(String.valueOf(e.getValue())).doesNotContainPattern(collector));
            }
        }
    }

    @Test
    void composeFileIsValidForDockerCompose() throws Exception {
        Assumptions.assumeTrue(Repository.onPath("docker-compose"),
                "docker-compose (Debian package) is not installed here; .ci/run installs it and validates the file");
        String rendered = Repository.run(List.of("env", "SCANSTREAM_PSEUDONYMISATION_KEY=test", "docker-compose",
                "-f", "docker/compose.yaml", "config"));
        assertThat(rendered).contains("ingest-service", "inference-service", "training-service", "review-service",
                "prometheus", "grafana");
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
