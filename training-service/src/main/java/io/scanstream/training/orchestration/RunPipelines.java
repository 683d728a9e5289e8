package io.scanstream.training.orchestration;

import io.scanstream.learning.settings.TrainerSettings;
import io.scanstream.learning.train.FullNetworkTrainer;
import io.scanstream.learning.train.HeadTrainer;
import io.scanstream.training.config.TrainingConfig;
import io.scanstream.training.domain.Backbone;
import io.scanstream.training.domain.ChampionSource;
import io.scanstream.training.domain.VersionPublisher;
import io.scanstream.training.report.ReportStore;
import io.scanstream.training.run.FullNetworkRunPipeline;
import io.scanstream.training.run.HeadRunPipeline;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The runs as configured: configuration → trainer settings (through the learning library's one mapping,
 * {@link TrainerSettings}) → a pipeline wired to the Kafka ports and the report store. A fresh pipeline per run,
 * so a run sees the configuration and the champion of its own start.
 */
@ApplicationScoped
public class RunPipelines {

    private final TrainingConfig config;
    private final Backbone backbone;
    private final ChampionSource champions;
    private final VersionPublisher publisher;
    private final ReportStore reports;

    public RunPipelines(TrainingConfig config, Backbone backbone, ChampionSource champions,
                        VersionPublisher publisher) {
        this.config = config;
        this.backbone = backbone;
        this.champions = champions;
        this.publisher = publisher;
        this.reports = new ReportStore(config.reports().dir());
    }

    public ReportStore reports() {
        return reports;
    }

    HeadRunPipeline head() {
        Map<String, Object> reported = new LinkedHashMap<>();
        reported.put("validationFraction", config.validation().fraction());
        reported.put("validationSeed", config.validation().seed());
        reported.put("validationMinGroupsPerClass", config.validation().minGroupsPerClass());
        reported.put("intervals", Map.of("resamples", config.validation().bootstrapResamples(), "level",
                config.validation().intervalLevel()));
        reported.put("gate", Map.of("enabled", config.gate().enabled(), "metric", config.gate().metric(),
                "alpha", config.gate().alpha(), "resamples", config.gate().resamples()));
        HeadRunPipeline.Settings settings = new HeadRunPipeline.Settings(config.model().name(), backbone.id(),
                backbone.featureDim(), TrainerSettings.head(config), TrainerSettings.splitter(config),
                config.validation().minExamples(), config.validation().minGroupsPerClass(),
                TrainerSettings.gate(config), TrainerSettings.intervals(config), reported);
        return new HeadRunPipeline(settings, new HeadTrainer(), reports, champions, publisher, Clock.systemUTC());
    }

    FullNetworkRunPipeline fullNetwork() {
        return new FullNetworkRunPipeline(new FullNetworkRunPipeline.Settings(config.model().name(),
                TrainerSettings.fullNetwork(config, backbone.architecture(), config.model().backboneWeights()),
                TrainerSettings.splitter(config), config.validation().minExamples(),
                config.validation().minGroupsPerClass()), new FullNetworkTrainer(),
                reports, Clock.systemUTC());
    }
}
