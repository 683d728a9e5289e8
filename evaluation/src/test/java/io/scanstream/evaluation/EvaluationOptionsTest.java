package io.scanstream.evaluation;

import io.scanstream.evaluation.experiments.FineTuneCrossValidation;
import io.scanstream.learning.settings.TrainerSettings;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EvaluationOptionsTest {

    @Test
    void withoutOptionsTrainsWithTheServicesDefaults() {
        EvaluationOptions options = EvaluationOptions.parse(new String[0]);

        assertThat(options.dataDir()).isEqualTo(Path.of("../shared/data/covid-ct"));
        assertThat(options.weights()).isEmpty();
        assertThat(options.configs()).containsExactly("cv", "frozen", "frozen-multiscale", "fine-tune", "scratch");
        assertThat(options.headSeeds()).containsExactly(7L, 8L, 9L, 10L, 11L);
        assertThat(TrainerSettings.head(options.learning(Map.of())))
                .isEqualTo(TrainerSettings.head(TrainerSettings.defaults()));
    }

    @Test
    void namedShortcutsAndSetChangeTheServicesSettings() {
        EvaluationOptions options = EvaluationOptions.parse(new String[] {"--head-epochs", "12",
                "--full-time-budget", "PT5M", "--set", "training.head.dropout=0.3", "--configs", "frozen"});

        var learning = options.learning(Map.of("training.full-network.epochs", "3"));
        assertThat(learning.head().epochs()).isEqualTo(12);
        assertThat(learning.head().dropout()).isEqualTo(0.3);
        assertThat(learning.fullNetwork().timeBudget()).isEqualTo(Duration.ofMinutes(5));
        assertThat(learning.fullNetwork().epochs()).isEqualTo(3);
        assertThat(options.wants("frozen")).isTrue();
        assertThat(options.wants("cv")).isFalse();
    }

    @Test
    void runsEveryFoldTheFirstFewOrTheListedOnes() {
        assertThat(EvaluationOptions.parse(new String[0]).cvFoldsToRun()).containsExactly(1, 2, 3, 4, 5);
        assertThat(EvaluationOptions.parse(new String[] {"--cv-fold-limit", "2"}).cvFoldsToRun())
                .containsExactly(1, 2);
        assertThat(EvaluationOptions.parse(new String[] {"--cv-folds", "3", "--cv-fold-limit", "9"}).cvFoldsToRun())
                .containsExactly(1, 2, 3);
        // Finishing a run that stopped after fold 4, or screening the two hardest folds.
        assertThat(EvaluationOptions.parse(new String[] {"--cv-run-folds", "5"}).cvFoldsToRun()).containsExactly(5);
        assertThat(EvaluationOptions.parse(new String[] {"--cv-run-folds", "1, 2"}).cvFoldsToRun())
                .containsExactly(1, 2);
    }

    @Test
    void fineTunesOnTheTrainingSideOfTheInnerSplitUnlessToldAll() {
        assertThat(EvaluationOptions.parse(new String[0]).fineTuneRows())
                .isEqualTo(FineTuneCrossValidation.FineTuneRows.TRAIN_SIDE);
        assertThat(EvaluationOptions.parse(new String[] {"--fine-tune-rows", "all"}).fineTuneRows())
                .isEqualTo(FineTuneCrossValidation.FineTuneRows.ALL);
        assertThatThrownBy(() -> EvaluationOptions.parse(new String[] {"--fine-tune-rows", "some"}))
                .hasMessageContaining("train-side or all");
    }

    @Test
    void refusesMalformedArguments() {
        assertThatThrownBy(() -> EvaluationOptions.parse(new String[] {"--set", "head.epochs=3"}))
                .hasMessageContaining("training.KEY=VALUE");
        assertThatThrownBy(() -> EvaluationOptions.parse(new String[] {"--limit"}))
                .hasMessageContaining("expected --name value");
        assertThatThrownBy(() -> EvaluationOptions.parse(new String[] {"--help"})).hasMessage("help");
    }
}
