package io.scanstream.core.contract;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Least privilege on the broker: what each principal of ScanStream may do, as Kafka ACLs. The one home of these
 * grants: the local stack's secured broker ({@code --secure}) creates exactly these, the Kubernetes
 * {@code KafkaUser} resources must equal them ({@code DeploymentConfigTest}), docs/security.md explains them.
 *
 * <p>Topic names are the contract's defaults, mapped through the deployment's renames ({@code scanstream.topics.*}).
 * Transactional ids and consumer groups are the services' own ({@code ingest-<pod>}, {@code inference-<pod>},
 * group {@code ingest-service}, ...); training's Kafka Streams application id starts with {@code training-service-}
 * (its consumer group, internal topics and transactional ids all carry it as a prefix).
 */
public final class KafkaAccess {

    public enum ResourceType { TOPIC, GROUP, TRANSACTIONAL_ID }

    public enum PatternType { LITERAL, PREFIXED }

    /** Kafka's operation names (AclOperation). */
    public enum Operation { READ, WRITE, CREATE, DELETE, ALTER, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS, ALL }

    /** One allow-ACL: the principal may do {@code operations} on the resource (from any host). */
    public record Grant(ResourceType type, String name, PatternType pattern, List<Operation> operations) {
        public Grant {
            operations = List.copyOf(operations);
        }
    }

    /** A principal ScanStream runs as, with its grants; {@code user} is the SCRAM user or the certificate's CN. */
    public record Principal(String user, String purpose, List<Grant> grants) {
        public Principal {
            grants = List.copyOf(grants);
        }
    }

    public static final String INGEST = "ingest-service";
    public static final String INFERENCE = "inference-service";
    public static final String TRAINING = "training-service";
    /** The radiologists' workstation: reads what it shows, writes their labels (no consumer group: it assigns). */
    public static final String REVIEW = "review-service";
    /** Imaging devices that publish to Kafka (one principal per device group; docs/security.md). */
    public static final String DEVICE = "scan-device";
    /** The clinicians' labelling tool. */
    public static final String CLINICIAN_TOOL = "clinician-tool";
    /** Read-only follower of the outcome topics (the local stack's progress console; a dashboard). */
    public static final String MONITOR = "scanstream-monitor";
    /** KEDA's Kafka scaler: reads consumer lag. */
    public static final String AUTOSCALER = "keda-scaler";

    private KafkaAccess() {
    }

    /** Every principal with its grants, topic names mapped by {@code topic} (identity for the contract's names). */
    public static List<Principal> principals(UnaryOperator<String> topic) {
        return List.of(
                new Principal(INGEST, "validates and preprocesses scans; STOW-RS and POST /scans publish arrivals",
                        List.of(topic(topic, Topics.SCANS_ARRIVED, Operation.READ, Operation.WRITE),
                                topic(topic, Topics.SCANS_PREPROCESSED, Operation.WRITE),
                                topic(topic, Topics.SCANS_REJECTED, Operation.WRITE),
                                // its memory of accepted scans: written with each outcome, read back at assignment
                                topic(topic, Topics.SCANS_SEEN, Operation.READ, Operation.WRITE),
                                literal(ResourceType.GROUP, "ingest-service", Operation.READ),
                                prefixed(ResourceType.TRANSACTIONAL_ID, "ingest-", Operation.WRITE, Operation.DESCRIBE))),
                new Principal(INFERENCE, "scores preprocessed scans; follows model versions and published backbones",
                        List.of(topic(topic, Topics.SCANS_PREPROCESSED, Operation.READ),
                                topic(topic, Topics.SCANS_PREDICTIONS, Operation.WRITE),
                                topic(topic, Topics.SCANS_EMBEDDINGS, Operation.WRITE),
                                topic(topic, Topics.SCANS_REJECTED, Operation.WRITE),
                                topic(topic, Topics.MODELS_PUBLISHED, Operation.READ),
                                topic(topic, Topics.MODELS_BACKBONES, Operation.READ),
                                literal(ResourceType.GROUP, "inference-service", Operation.READ),
                                prefixed(ResourceType.GROUP, "inference-models-", Operation.READ),
                                prefixed(ResourceType.GROUP, "inference-backbones-", Operation.READ),
                                prefixed(ResourceType.TRANSACTIONAL_ID, "inference-", Operation.WRITE, Operation.DESCRIBE))),
                new Principal(TRAINING, "keeps labels, scans and embeddings (Kafka Streams); publishes model versions,"
                        + " fine-tuned backbones and the embeddings it computes",
                        List.of(topic(topic, Topics.SCANS_LABELS, Operation.READ),
                                topic(topic, Topics.SCANS_EMBEDDINGS, Operation.READ, Operation.WRITE),
                                topic(topic, Topics.SCANS_PREPROCESSED, Operation.READ),
                                topic(topic, Topics.MODELS_PUBLISHED, Operation.READ, Operation.WRITE),
                                topic(topic, Topics.MODELS_BACKBONES, Operation.READ, Operation.WRITE),
                                topic(topic, Topics.TRAINING_DEAD_LETTERS, Operation.WRITE),
                                // Kafka Streams: internal topics, group and transactional ids carry the application id.
                                prefixed(ResourceType.TOPIC, "training-service-", Operation.ALL),
                                prefixed(ResourceType.GROUP, "training-service-", Operation.READ),
                                prefixed(ResourceType.TRANSACTIONAL_ID, "training-service-", Operation.WRITE,
                                        Operation.DESCRIBE))),
                new Principal(REVIEW, "the radiologists' workstation: shows predictions and images, publishes labels",
                        List.of(topic(topic, Topics.SCANS_PREDICTIONS, Operation.READ),
                                topic(topic, Topics.SCANS_PREPROCESSED, Operation.READ),
                                topic(topic, Topics.SCANS_LABELS, Operation.READ, Operation.WRITE))),
                new Principal(DEVICE, "imaging devices publishing scans to Kafka",
                        List.of(topic(topic, Topics.SCANS_ARRIVED, Operation.WRITE))),
                new Principal(CLINICIAN_TOOL, "the clinicians' labelling tool",
                        List.of(topic(topic, Topics.SCANS_LABELS, Operation.WRITE))),
                new Principal(MONITOR, "follows outcomes read-only (local progress console)",
                        List.of(topic(topic, Topics.SCANS_PREPROCESSED, Operation.READ),
                                topic(topic, Topics.SCANS_REJECTED, Operation.READ),
                                topic(topic, Topics.SCANS_PREDICTIONS, Operation.READ),
                                topic(topic, Topics.MODELS_PUBLISHED, Operation.READ),
                                prefixed(ResourceType.GROUP, "scanstream-monitor-", Operation.READ))),
                new Principal(AUTOSCALER, "KEDA's Kafka scaler: consumer lag of ingest and inference",
                        List.of(topic(topic, Topics.SCANS_ARRIVED, Operation.DESCRIBE),
                                topic(topic, Topics.SCANS_PREPROCESSED, Operation.DESCRIBE),
                                literal(ResourceType.GROUP, "ingest-service", Operation.DESCRIBE),
                                literal(ResourceType.GROUP, "inference-service", Operation.DESCRIBE))));
    }

    public static List<Principal> principals() {
        return principals(UnaryOperator.identity());
    }

    public static Principal principal(String user) {
        return principals().stream().filter(p -> p.user().equals(user)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("not a ScanStream principal: " + user));
    }

    /** The grants by user, for comparisons (tests, deployment checks). */
    public static Map<String, List<Grant>> grantsByUser() {
        Map<String, List<Grant>> byUser = new java.util.LinkedHashMap<>();
        principals().forEach(p -> byUser.put(p.user(), new ArrayList<>(p.grants())));
        return byUser;
    }

    private static Grant topic(UnaryOperator<String> names, String defaultName, Operation... operations) {
        return new Grant(ResourceType.TOPIC, names.apply(defaultName), PatternType.LITERAL, List.of(operations));
    }

    private static Grant literal(ResourceType type, String name, Operation... operations) {
        return new Grant(type, name, PatternType.LITERAL, List.of(operations));
    }

    private static Grant prefixed(ResourceType type, String name, Operation... operations) {
        return new Grant(type, name, PatternType.PREFIXED, List.of(operations));
    }
}
