package io.scanstream.local;

import io.scanstream.core.contract.KafkaAccess;
import io.scanstream.core.contract.Topics;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * The whole system on one machine, in one command: broker, services, simulated device, progress on the console.
 * Components start in dependency order and stop in reverse order on Ctrl-C (or when one of them dies).
 */
public final class LocalStack {

    /**
     * Ingest's JVM. 768m: the worst case of concurrent uploads (16 x 20 MiB) plus one decode budget per decode worker
     * (ingest.decode.parallelism, the cores: 2 x 64 MiB here) plus the consumer's fetch came close to 512m. The
     * parallel collector, which the service image's launcher (run-java.sh) gives every service in compose and
     * Kubernetes: on this machine the JVM would pick G1, to which a scan's bytes and rasters (0.5-8 MiB, many a
     * second) are humongous objects that start a concurrent cycle every few hundred milliseconds
     * (docs/operations.md, "JVM settings"; docs/benchmarks.md has the measurement).
     */
    public static final List<String> INGEST_JVM = ServiceProcess.jvmOptions("768m", "-XX:+UseParallelGC");
    /** Inference's JVM: the JVM's choice (G1 here); few allocations per scan, and its pauses were short. */
    public static final List<String> INFERENCE_JVM = ServiceProcess.jvmOptions("1g");

    private volatile boolean stopping;

    private final LocalStackOptions options;
    private String pseudonymisationKey;
    private KafkaSecurity kafka;
    private LocalSignIn signIn;
    private final List<Runnable> stopInReverse = new ArrayList<>();
    private final Map<String, java.util.function.BooleanSupplier> watched = new java.util.LinkedHashMap<>();

    private LocalStack(LocalStackOptions options) {
        this.options = options;
    }

    public static void main(String[] args) {
        Path home = Path.of(System.getProperty("scanstream.home", ".")).toAbsolutePath().normalize();
        LocalStackOptions options;
        try {
            options = LocalStackOptions.parse(List.of(args), home);
        } catch (LocalStackOptions.HelpRequested e) {
            System.out.print(LocalStackOptions.HELP);
            return;
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(2);
            return;
        }
        LocalStack stack = new LocalStack(options);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stack.stop();
            stopped.countDown();
        }, "local-stack-shutdown"));
        try {
            stack.start();
            Console.line("ScanStream is running. Ctrl-C stops everything.");
            stack.watch();
        } catch (Exception e) {
            Console.line("start-up failed: %s", e.getMessage());
            System.exit(1);
        }
    }

    private void start() throws IOException, InterruptedException {
        Files.createDirectories(options.workDir());
        Console.line("work dir %s", options.workDir());

        kafka = options.secure() ? KafkaSecurity.secured(options) : KafkaSecurity.plaintext(options);
        KafkaBroker broker = new KafkaBroker(options, options.home().resolve("local-stack/target/kafka-libs"), kafka);
        Console.line("starting Kafka (KRaft, Apache Kafka's jars) on %s%s ...", options.bootstrapServers(),
                options.secure() ? " (SASL_SSL, SCRAM-SHA-512; mutual TLS on localhost:" + options.kafkaTlsPort()
                        + "; secrets in " + options.workDir().resolve("secrets") + ")" : " (plaintext, localhost only)");
        stopInReverse.add(broker::stop);
        broker.start();
        watched.put("Kafka broker", broker::alive);
        Console.line("Kafka ready on %s", options.bootstrapServers());

        signIn = LocalSignIn.open(options.workDir());
        signIn.start(options.authPort());
        stopInReverse.add(signIn::close);
        Console.line("sign-in: http://localhost:%d/login (users and first passwords: %s); the services trust its"
                + " tokens (issuer %s, key %s)", options.authPort(), options.workDir().resolve("auth"),
                LocalSignIn.ISSUER, signIn.issuer().publicKeyFile());
        Console.line("model signing: training signs versions with %s, inference trusts %s (made once per work dir)",
                signIn.modelSigningKeys().privateKeyFile(), signIn.modelSigningKeys().publicKeyFile());

        for (ServiceProcess service : services()) {
            Console.line("starting %s ...", service.name());
            stopInReverse.add(service::stop);
            service.start(Duration.ofMinutes(3));
            watched.put(service.name(), service::alive);
        }

        ScanSource images = options.dataDir().map(dir -> ScanSource.folder(dir, options.seed()))
                .orElseGet(() -> ScanSource.synthetic(options.seed(), options.badShare()));
        ScanSource source = options.dicom() ? ScanSource.dicom(images, pseudonymisationKey()) : images;
        SimulatedClinician clinician = new SimulatedClinician(kafka.client(KafkaAccess.CLINICIAN_TOOL),
                options.topic(Topics.SCANS_LABELS), options.labelShare(), Duration.ofSeconds(3));
        startThread("simulated-clinician", clinician);
        stopInReverse.add(clinician::close);
        SimulatedDevice device = new SimulatedDevice(source, kafka.certificateClient(KafkaAccess.DEVICE),
                options.topic(Topics.SCANS_ARRIVED), options.rate(), options.scans(), clinician::scanSent);
        ProgressConsole console = new ProgressConsole(options, kafka.client(KafkaAccess.MONITOR),
                () -> signIn.toolToken("local-progress-console", "operator"), device::sent, clinician::labelled,
                device.truth());
        startThread("progress-console", console);
        stopInReverse.add(console::close);
        if (watched.containsKey("review-service")) {
            Console.line("review (the radiologists' workstation): http://localhost:%d/ — sign in as clinician or"
                    + " operator, first passwords in %s", options.reviewPort(),
                    options.workDir().resolve("auth/initial-passwords.txt"));
        }
        Console.line("simulated device /devices/sim-ct-1: %s at %.1f scans/s; simulated clinician labels %.0f%% of them",
                source.describe(), options.rate(), options.labelShare() * 100);
        startThread("simulated-device", device);
        stopInReverse.add(device::close);
    }

    private List<ServiceProcess> services() throws IOException {
        Path home = options.home();
        List<ServiceProcess> services = new ArrayList<>();
        Map<String, String> ingestEnv = new java.util.LinkedHashMap<>(kafka.serviceEnvironment(KafkaAccess.INGEST));
        ingestEnv.put("INGEST_PSEUDONYMISATION_KEY", pseudonymisationKey());
        services.add(ServiceProcess.of("ingest-service", home.resolve("ingest-service/target/quarkus-app/quarkus-run.jar"),
                options.ingestPort(), options.ingestManagementPort(), options, INGEST_JVM, signIn.tokenProperties(),
                ingestEnv));
        Map<String, String> model = new java.util.LinkedHashMap<>();
        model.put("backbone", options.backbone());
        options.backboneWeights().ifPresent(w -> model.put("backbone-weights", w.toString()));
        model.put("backbone-readout", options.backboneReadout());
        Map<String, String> inference = new java.util.LinkedHashMap<>(signIn.inferenceProperties());
        model.forEach((k, v) -> inference.put("inference.model." + k, v));
        inference.put("inference.kafka.transactional-id", "inference-local");
        // inference only: training follows the weights file (the id is the weights', so both agree on it)
        inference.put("inference.model.backbone-engine", options.backboneEngine());
        services.add(ServiceProcess.of("inference-service", home.resolve("inference-service/target/quarkus-app/quarkus-run.jar"),
                options.inferencePort(), options.inferenceManagementPort(), options, INFERENCE_JVM, inference,
                environment(KafkaAccess.INFERENCE)));
        Path training = home.resolve("training-service/target/quarkus-app/quarkus-run.jar");
        if (java.nio.file.Files.isRegularFile(training)) {
            Map<String, String> trainingProps = new java.util.LinkedHashMap<>(signIn.trainingProperties());
            model.forEach((k, v) -> trainingProps.put("training.model." + k, v));
            trainingProps.put("training.reports.dir", options.workDir().resolve("reports").toString());
            trainingProps.put("kafka-streams.state.dir", trainingStreamsState(options).toString());
            trainingProps.put("training.fine-tune.every-labels", String.valueOf(options.fineTuneEvery()));
            // int8 fine-tuned backbones run on ONNX Runtime only: float32 ones where inference runs PyTorch.
            trainingProps.put("training.backbones.served-as",
                    options.backboneEngine().equals("pytorch") ? "float32" : "int8");
            services.add(ServiceProcess.of("training-service", training, options.trainingPort(),
                    options.trainingManagementPort(), options, "1g", trainingProps, environment(KafkaAccess.TRAINING)));
        }
        Path review = home.resolve("review-service/target/quarkus-app/quarkus-run.jar");
        if (java.nio.file.Files.isRegularFile(review)) {
            // People sign in at the local sign-in (OIDC code flow); the client secret travels in the environment.
            Map<String, String> reviewProps = new java.util.LinkedHashMap<>(signIn.reviewProperties());
            String secret = reviewProps.remove("quarkus.oidc.credentials.secret");
            reviewProps.put("review.services.training", "http://localhost:" + options.trainingPort());
            reviewProps.put("review.services.inference", "http://localhost:" + options.inferencePort());
            Map<String, String> reviewEnv = new java.util.LinkedHashMap<>(kafka.serviceEnvironment(KafkaAccess.REVIEW));
            reviewEnv.put("QUARKUS_OIDC_CREDENTIALS_SECRET", secret);
            services.add(ServiceProcess.of("review-service", review, options.reviewPort(),
                    options.reviewManagementPort(), options, "512m", reviewProps, reviewEnv));
        }
        return services;
    }

    /**
     * Training's Kafka Streams state, in the work dir beside the broker data it was restored from and kept or
     * emptied with it: a fresh broker then never meets stores built from another cluster's changelogs (Streams
     * would find their offsets out of range, log an error and rebuild them).
     */
    static Path trainingStreamsState(LocalStackOptions options) throws IOException {
        Path state = options.workDir().resolve("training/streams-state");
        if (!options.keepData()) {
            Directories.deleteRecursively(state);
        }
        return state;
    }

    /** The DJL cache and the Kafka security settings of the service's user. */
    private Map<String, String> environment(String kafkaUser) {
        Map<String, String> env = new java.util.LinkedHashMap<>(djlEnvironment());
        env.putAll(kafka.serviceEnvironment(kafkaUser));
        return env;
    }

    /** libtorch unpacks once into the user's DJL cache; the services never download (offline). */
    private static Map<String, String> djlEnvironment() {
        return Map.of("DJL_CACHE_DIR", Path.of(System.getProperty("user.home"), ".djl.ai").toString());
    }

    /** One key per work dir: pseudonyms stay stable across runs that keep their data. */
    private String pseudonymisationKey() throws IOException {
        if (pseudonymisationKey == null) {
            pseudonymisationKey = readOrCreateKey();
        }
        return pseudonymisationKey;
    }

    private String readOrCreateKey() throws IOException {
        Path file = options.workDir().resolve("pseudonymisation.key");
        if (options.keepData() && Files.isRegularFile(file)) {
            return Files.readString(file).strip();
        }
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        String hex = HexFormat.of().formatHex(key);
        Files.writeString(file, hex);
        return hex;
    }

    /** Blocks until Ctrl-C; if a component dies on its own, says so and stops the rest. */
    private void watch() throws InterruptedException {
        while (true) {
            Thread.sleep(1000);
            for (var component : watched.entrySet()) {
                if (!stopping && !component.getValue().getAsBoolean()) {
                    Console.line("%s exited unexpectedly; see %s. Stopping the stack.", component.getKey(),
                            options.workDir().resolve("logs"));
                    System.exit(1);
                }
            }
        }
    }

    private synchronized void stop() {
        stopping = true; // components going down now are not "unexpected"
        if (stopInReverse.isEmpty()) {
            return;
        }
        Console.line("stopping ...");
        for (int i = stopInReverse.size() - 1; i >= 0; i--) {
            try {
                stopInReverse.get(i).run();
            } catch (RuntimeException e) {
                Console.line("while stopping: %s", e);
            }
        }
        stopInReverse.clear();
        Console.line("stopped.");
    }

    private static void startThread(String name, Runnable runnable) {
        Thread thread = new Thread(runnable, name);
        thread.setDaemon(true);
        thread.start();
    }
}
