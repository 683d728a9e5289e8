package io.scanstream.local;

import io.scanstream.core.contract.ClinicalLabel;
import io.scanstream.core.contract.EventCodecs;
import io.scanstream.core.contract.ModelPublished;
import io.scanstream.core.contract.PredictedLabel;
import io.scanstream.core.contract.RejectionReason;
import io.scanstream.core.contract.ScanPrediction;
import io.scanstream.core.contract.ScanRejected;
import io.scanstream.core.contract.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Follows the output topics and prints, every few seconds, what a person watching the stack wants to know:
 * scans in and out per second, rejections by reason, the model version in use, training results, and the
 * running accuracy of predictions against the ground truth the simulated clinician knows.
 */
final class ProgressConsole implements Runnable, AutoCloseable {

    private static final Duration EVERY = Duration.ofSeconds(5);
    private static final Duration IDLE_EVERY = Duration.ofSeconds(30);

    private final KafkaConsumer<String, byte[]> consumer;
    private final LocalStackOptions options;
    private final Supplier<Long> sent;
    private final Supplier<Long> labelled;
    private final Map<String, ClinicalLabel> truth;
    private final Map<RejectionReason, Long> rejected = new EnumMap<>(RejectionReason.class);
    private long accepted;
    private long predicted;
    private long undetermined;
    private long judged;
    private long correct;
    private String modelVersion = "none yet";
    private String lastPublished = "";
    private volatile boolean running = true;
    private final TrainingRuns trainingRuns;

    /**
     * @param kafka   the console's client settings (secured: the read-only monitor user)
     * @param token   a bearer token for training-service's API (the operator's)
     */
    ProgressConsole(LocalStackOptions options, Map<String, Object> kafka, Supplier<String> token, Supplier<Long> sent,
                    Supplier<Long> labelled, Map<String, ClinicalLabel> truth) {
        this.options = options;
        this.sent = sent;
        this.labelled = labelled;
        this.trainingRuns = new TrainingRuns(options.trainingPort(), token);
        this.truth = truth;
        Map<String, Object> settings = new java.util.HashMap<>(kafka);
        settings.putAll(Map.of(
                // The monitor's ACLs allow groups with this prefix (KafkaAccess).
                ConsumerConfig.GROUP_ID_CONFIG, "scanstream-monitor-console-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Topics.MODEL_MAX_MESSAGE_BYTES));
        this.consumer = new KafkaConsumer<>(settings, new StringDeserializer(), new ByteArrayDeserializer());
    }

    @Override
    public void run() {
        String preprocessed = options.topic(Topics.SCANS_PREPROCESSED);
        String rejectedTopic = options.topic(Topics.SCANS_REJECTED);
        String predictions = options.topic(Topics.SCANS_PREDICTIONS);
        String models = options.topic(Topics.MODELS_PUBLISHED);
        consumer.subscribe(List.of(preprocessed, rejectedTopic, predictions, models));
        long lastPrint = System.nanoTime();
        long lastSent = 0;
        long lastAccepted = 0;
        long lastPredicted = 0;
        try {
            while (running) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    String topic = record.topic();
                    if (topic.equals(preprocessed)) {
                        accepted++;
                    } else if (topic.equals(rejectedTopic)) {
                        ScanRejected r = EventCodecs.REJECTED.fromRecord(record);
                        rejected.merge(r.reason(), 1L, Long::sum);
                    } else if (topic.equals(predictions)) {
                        count(EventCodecs.PREDICTED.fromRecord(record));
                    } else if (topic.equals(models)) {
                        ModelPublished model = EventCodecs.MODEL_PUBLISHED.fromRecord(record);
                        var metrics = model.artifact().metadata().metrics();
                        lastPublished = String.format(Locale.ROOT, " | published %s (val AUC %s)",
                                model.version(), metrics == null || metrics.auc() == null ? "n/a"
                                        : String.format(Locale.ROOT, "%.3f", metrics.auc()));
                    }
                }
                long now = System.nanoTime();
                boolean changed = sent.get() != lastSent || accepted != lastAccepted || predicted != lastPredicted;
                // Every few seconds while things move; twice a minute when idle.
                if (now - lastPrint >= (changed ? EVERY : IDLE_EVERY).toNanos()) {
                    double seconds = (now - lastPrint) / 1e9;
                    long s = sent.get();
                    long rejectedTotal = rejected.values().stream().mapToLong(Long::longValue).sum();
                    String accuracy = judged == 0 ? "n/a" : String.format(Locale.ROOT, "%.3f (n=%d)", (double) correct / judged, judged);
                    Console.line("device sent %d (%.1f/s) | ingest accepted %d (%.1f/s), rejected %d%s | predicted %d (%.1f/s, %d undetermined) | model %s | clinician labelled %d | accuracy vs clinician %s | %s%s",
                            s, (s - lastSent) / seconds, accepted, (accepted - lastAccepted) / seconds, rejectedTotal,
                            rejected.isEmpty() ? "" : " " + rejected, predicted, (predicted - lastPredicted) / seconds,
                            undetermined, modelVersion, labelled.get(), accuracy, trainingRuns.summary(), lastPublished);
                    lastPrint = now;
                    lastSent = s;
                    lastAccepted = accepted;
                    lastPredicted = predicted;
                }
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    private void count(ScanPrediction prediction) {
        predicted++;
        if (prediction.label() == PredictedLabel.UNDETERMINED) {
            undetermined++;
            return;
        }
        modelVersion = prediction.modelVersion();
        ClinicalLabel actual = truth.get(prediction.scanId());
        if (actual != null) {
            judged++;
            if (prediction.label().name().equals(actual.name())) {
                correct++;
            }
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
    }
}
