package io.scanstream.local;

import io.scanstream.core.contract.Topics;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The launcher's options; {@link #HELP} documents each. */
public record LocalStackOptions(
        Path home,
        Path workDir,
        int kafkaPort,
        int controllerPort,
        int ingestPort,
        int inferencePort,
        int trainingPort,
        double rate,
        long scans,
        Optional<Path> dataDir,
        double labelShare,
        double badShare,
        long seed,
        boolean keepData,
        Map<String, String> topics,
        String backbone,
        Optional<Path> backboneWeights,
        String backboneReadout,
        boolean dicom,
        int fineTuneEvery,
        boolean secure,
        int kafkaTlsPort,
        int ingestManagementPort,
        int inferenceManagementPort,
        int trainingManagementPort,
        int authPort,
        Duration arrivedRetention,
        String backboneEngine,
        int reviewPort,
        int reviewManagementPort) {

    static final String HELP = """
            Usage: bin/scanstream-local [options]

            Starts, on this machine and without Docker: a real Kafka broker (KRaft, its own JVM, from Apache Kafka's
            jars), the ScanStream services (their runnable jars), a simulated imaging device and a simulated
            clinician. Ctrl-C stops everything, in reverse order. Logs: <work-dir>/logs/.

            Options (defaults in brackets):
              --rate N              scans per second the device sends [2]
              --scans N             stop sending after N scans; 0 = keep sending [0]
              --data-dir PATH       replay the images of a folder with a manifest.csv (e.g. ../shared/data/covid-ct)
                                    instead of synthetic scans; labels come from the manifest
              --label-share F       share of scans the simulated clinician labels, 0..1 [0.5]
              --bad-share F         share of deliberately damaged scans (synthetic mode), 0..1 [0.05]
              --dicom               send the scans as DICOM CT slices (application/dicom: HU through the lung
                                    window, uncompressed, JPEG lossless and RLE in turn), as a CT scanner would
              --seed N              seed of the synthetic scans and of the replay order [1]
              --backbone NAME       inference backbone: mobilenet_v2, resnet34, vgg16, vgg19 [mobilenet_v2]
              --backbone-weights P  backbone weights file (TorchScript .pt, DJL .params or ONNX .onnx); none = random
                                    init. The id names the weights: a .pt and its .onnx share heads
              --backbone-readout R  features: final or multi-scale (every stage pooled; see docs/training.md) [final]
              --backbone-engine E   inference's engine: onnxruntime (CPU, fastest), pytorch, or auto (by the weights
                                    file: ONNX Runtime for .onnx) [onnxruntime]
              --fine-tune N         the fine-tuned path: every N new labels, training fine-tunes the backbone in
                                    service and publishes it with a version; inference swaps backbone and head
                                    together (needs --backbone-weights; minutes of CPU per run). 0 = the backbone
                                    stays frozen, head runs only [0]
              --secure              run Kafka secured: SASL_SSL with SCRAM-SHA-512 for every service and tool (a user
                                    each, least-privilege ACLs), mutual TLS for the simulated device, certificates
                                    of a CA made for this run (<work-dir>/secrets); see docs/security.md
              --arrived-retention D how long scans.arrived keeps raw scans (patient references), e.g. 30m, 6h, 3d [3d]
              --kafka-port N        broker port [9092]
              --kafka-tls-port N    broker's mutual-TLS listener with --secure [9094]
              --controller-port N   KRaft controller port [9093]
              --ingest-port N       ingest-service HTTP port [8081]
              --inference-port N    inference-service HTTP port [8082]
              --training-port N     training-service HTTP port [8083]
              --review-port N       review-service (the radiologists' workstation) HTTP port [8084]
              --ingest-management-port N, --inference-management-port N, --training-management-port N,
              --review-management-port N
                                    health and metrics (management interface, no token) [9081, 9082, 9083, 9084]
              --auth-port N         local sign-in: form login with the users of <work-dir>/auth, issues the
                                    bearer tokens the services accept [8090]
              --topic DEFAULT=NAME  use another name for a contract topic, e.g. --topic scans.arrived=ct.arrived
              --work-dir PATH       broker data, training's Streams state, reports and logs [.scanstream/local]
              --keep-data           keep the broker's data and training's Streams state from the last run
                                    (default: start empty)
              --help                this text
            """;

    public static LocalStackOptions parse(List<String> args, Path home) {
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, String> topics = new LinkedHashMap<>();
        Topics.ALL.forEach(t -> topics.put(t.name(), t.name()));
        boolean keepData = false;
        boolean dicom = false;
        boolean secure = false;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("--help") || arg.equals("-h")) {
                throw new HelpRequested();
            }
            if (arg.equals("--keep-data")) {
                keepData = true;
                continue;
            }
            if (arg.equals("--dicom")) {
                dicom = true;
                continue;
            }
            if (arg.equals("--secure")) {
                secure = true;
                continue;
            }
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + arg + "' (see --help)");
            }
            String key;
            String value;
            int eq = arg.indexOf('=');
            if (eq > 0 && !arg.startsWith("--topic")) {
                key = arg.substring(2, eq);
                value = arg.substring(eq + 1);
            } else {
                key = arg.substring(2);
                if (key.startsWith("topic=")) {
                    value = key.substring("topic=".length());
                    key = "topic";
                } else {
                    if (i + 1 >= args.size()) {
                        throw new IllegalArgumentException("option --" + key + " needs a value");
                    }
                    value = args.get(++i);
                }
            }
            if (key.equals("topic")) {
                String[] mapping = value.split("=", 2);
                if (mapping.length != 2 || !topics.containsKey(mapping[0]) || mapping[1].isBlank()) {
                    throw new IllegalArgumentException("--topic takes DEFAULT=NAME with DEFAULT one of " + topics.keySet());
                }
                topics.put(mapping[0], mapping[1]);
            } else {
                values.put(key, value);
            }
        }
        List<String> known = List.of("rate", "scans", "data-dir", "label-share", "bad-share", "seed", "backbone",
                "backbone-weights", "backbone-readout", "fine-tune", "kafka-port", "controller-port", "ingest-port",
                "inference-port", "training-port", "work-dir", "kafka-tls-port", "ingest-management-port",
                "inference-management-port", "training-management-port", "auth-port", "arrived-retention",
                "backbone-engine", "review-port", "review-management-port");
        for (String key : values.keySet()) {
            if (!known.contains(key)) {
                throw new IllegalArgumentException("unknown option --" + key + " (see --help)");
            }
        }
        LocalStackOptions options = new LocalStackOptions(
                home,
                home.resolve(values.getOrDefault("work-dir", ".scanstream/local")).toAbsolutePath().normalize(),
                intValue(values, "kafka-port", 9092),
                intValue(values, "controller-port", 9093),
                intValue(values, "ingest-port", 8081),
                intValue(values, "inference-port", 8082),
                intValue(values, "training-port", 8083),
                doubleValue(values, "rate", 2.0),
                (long) doubleValue(values, "scans", 0),
                Optional.ofNullable(values.get("data-dir")).map(p -> home.resolve(p).toAbsolutePath().normalize()),
                doubleValue(values, "label-share", 0.5),
                doubleValue(values, "bad-share", 0.05),
                (long) doubleValue(values, "seed", 1),
                keepData,
                Map.copyOf(topics),
                values.getOrDefault("backbone", "mobilenet_v2"),
                Optional.ofNullable(values.get("backbone-weights")).map(p -> home.resolve(p).toAbsolutePath().normalize()),
                values.getOrDefault("backbone-readout", "final"),
                dicom,
                intValue(values, "fine-tune", 0),
                secure,
                intValue(values, "kafka-tls-port", 9094),
                intValue(values, "ingest-management-port", 9081),
                intValue(values, "inference-management-port", 9082),
                intValue(values, "training-management-port", 9083),
                intValue(values, "auth-port", 8090),
                durationValue(values, "arrived-retention", Topics.DEFAULT_ARRIVED_RETENTION),
                values.getOrDefault("backbone-engine", "onnxruntime"),
                intValue(values, "review-port", 8084),
                intValue(values, "review-management-port", 9084));
        options.validate();
        return options;
    }

    private void validate() {
        if (rate <= 0) {
            throw new IllegalArgumentException("--rate must be > 0");
        }
        if (labelShare < 0 || labelShare > 1 || badShare < 0 || badShare > 1) {
            throw new IllegalArgumentException("--label-share and --bad-share must be within 0..1");
        }
        if (!List.of("mobilenet_v2", "resnet34", "vgg16", "vgg19").contains(backbone)) {
            throw new IllegalArgumentException("--backbone must be one of mobilenet_v2, resnet34, vgg16, vgg19");
        }
        if (!List.of("final", "multi-scale").contains(backboneReadout)) {
            throw new IllegalArgumentException("--backbone-readout must be final or multi-scale");
        }
        if (fineTuneEvery < 0) {
            throw new IllegalArgumentException("--fine-tune takes a number of labels >= 0");
        }
        if (fineTuneEvery > 0 && backboneWeights.isEmpty()) {
            throw new IllegalArgumentException("--fine-tune starts from pretrained weights: give --backbone-weights"
                    + " (e.g. ../shared/models/mobilenet_v2_imagenet_backbone.pt)");
        }
        if (arrivedRetention.compareTo(Duration.ofMinutes(1)) < 0) {
            throw new IllegalArgumentException("--arrived-retention must be at least 1m");
        }
        if (!List.of("auto", "onnxruntime", "pytorch").contains(backboneEngine)) {
            throw new IllegalArgumentException("--backbone-engine must be auto, onnxruntime or pytorch");
        }
    }

    public String topic(String defaultName) {
        return topics.getOrDefault(defaultName, defaultName);
    }

    public String bootstrapServers() {
        return "localhost:" + kafkaPort;
    }

    private static int intValue(Map<String, String> values, String key, int fallback) {
        try {
            return values.containsKey(key) ? Integer.parseInt(values.get(key)) : fallback;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + key + " takes a whole number");
        }
    }

    /** {@code 90s}, {@code 30m}, {@code 6h}, {@code 3d}. */
    static Duration durationValue(Map<String, String> values, String key, Duration fallback) {
        String v = values.get(key);
        if (v == null) {
            return fallback;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)([smhd])").matcher(v.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("--" + key + " takes a duration such as 30m, 6h or 3d");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    private static double doubleValue(Map<String, String> values, String key, double fallback) {
        try {
            return values.containsKey(key) ? Double.parseDouble(values.get(key)) : fallback;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + key + " takes a number");
        }
    }

    static final class HelpRequested extends RuntimeException {
        HelpRequested() {
            super(null, null, false, false);
        }
    }
}
