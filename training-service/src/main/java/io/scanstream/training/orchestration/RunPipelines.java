package io.scanstream.training.orchestration;

import io.scanstream.core.artifact.BackboneChunks;
import io.scanstream.core.artifact.BackboneRef;
import io.scanstream.core.artifact.ScanSet;
import io.scanstream.learning.settings.TrainerSettings;
import io.scanstream.learning.train.FullNetworkTrainer;
import io.scanstream.learning.train.HeadTrainer;
import io.scanstream.model.backbone.FeatureReadout;
import io.scanstream.training.config.TrainingConfig;
import io.scanstream.training.domain.Backbone;
import io.scanstream.training.domain.BackbonePublisher;
import io.scanstream.training.domain.ChampionSource;
import io.scanstream.training.domain.EmbeddingSink;
import io.scanstream.training.domain.VersionPublisher;
import io.scanstream.training.report.ReportStore;
import io.scanstream.training.run.FineTuneRunPipeline;
import io.scanstream.training.run.HeadRunPipeline;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The runs as configured: configuration → trainer settings (through the learning library's one mapping,
 * {@link TrainerSettings}) → a pipeline wired to the Kafka ports and the report store. A fresh pipeline per run,
 * so a run sees the configuration, the champion and the backbone of its own start.
 */
@ApplicationScoped
public class RunPipelines {

    private final TrainingConfig config;
    private final ChampionSource champions;
    private final VersionPublisher publisher;
    private final BackbonePublisher backbones;
    private final EmbeddingSink embeddings;
    private final ReportStore reports;
    private final FineTuneRunPipeline.ServedAs servedAs;

    public RunPipelines(TrainingConfig config, ChampionSource champions, VersionPublisher publisher,
                        BackbonePublisher backbones, EmbeddingSink embeddings) {
        this.config = config;
        this.champions = champions;
        this.publisher = publisher;
        this.backbones = backbones;
        this.embeddings = embeddings;
        this.reports = new ReportStore(config.reports().dir());
        this.servedAs = FineTuneRunPipeline.ServedAs.fromId(config.backbones().servedAs());
    }

    public ReportStore reports() {
        return reports;
    }

    /** A head run on the backbone in service. */
    HeadRunPipeline head(Backbone backbone) {
        return head(backbone.reference(), backbone.featureDim(), backbone.trainedOn());
    }

    private HeadRunPipeline head(BackboneRef backbone, int featureDim, ScanSet lineage) {
        Map<String, Object> reported = new LinkedHashMap<>();
        reported.put("validationFraction", config.validation().fraction());
        reported.put("validationSeed", config.validation().seed());
        reported.put("validationMinGroupsPerClass", config.validation().minGroupsPerClass());
        reported.put("thresholdRule", config.validation().thresholdRule());
        reported.put("intervals", Map.of("resamples", config.validation().bootstrapResamples(), "level",
                config.validation().intervalLevel()));
        reported.put("gate", Map.of("enabled", config.gate().enabled(), "metric", config.gate().metric(),
                "alpha", config.gate().alpha(), "resamples", config.gate().resamples()));
        // The newest labelled scans up to these were read (docs/training.md, "Run memory").
        reported.put("runCaps", Map.of("maxExamples", config.runs().maxExamples(), "maxImages",
                config.runs().maxImages()));
        HeadRunPipeline.Settings settings = new HeadRunPipeline.Settings(config.model().name(), backbone, featureDim,
                lineage, TrainerSettings.head(config), TrainerSettings.splitter(config),
                config.validation().minExamples(), config.validation().minGroupsPerClass(),
                TrainerSettings.gate(config), TrainerSettings.intervals(config), config.validation().thresholdRule(),
                reported);
        return new HeadRunPipeline(settings, new HeadTrainer(), reports, champions, publisher, Clock.systemUTC());
    }

    /**
     * A fine-tuning run from {@code parent}'s weights; the head part is a head pipeline for the new backbone.
     *
     * @throws IllegalArgumentException when the parent has no weights to start from (a random bootstrap) and
     *                                  training.full-network.initialisation is PRETRAINED
     */
    FineTuneRunPipeline fineTune(Backbone parent) {
        FineTuneRunPipeline.Settings settings = new FineTuneRunPipeline.Settings(config.model().name(),
                TrainerSettings.fullNetwork(config, parent.architecture(), parent.weights()),
                FeatureReadout.fromId(parent.reference().readout()), TrainerSettings.splitter(config),
                config.validation().minExamples(), config.validation().minGroupsPerClass(),
                BackboneChunks.DEFAULT_CHUNK_BYTES, config.model().seed(),
                servedAs);
        return new FineTuneRunPipeline(settings, new FullNetworkTrainer(), this::head, reports, backbones, embeddings,
                Clock.systemUTC());
    }
}
