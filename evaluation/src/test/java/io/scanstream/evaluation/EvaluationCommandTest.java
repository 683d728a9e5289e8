package io.scanstream.evaluation;

import com.fasterxml.jackson.databind.JsonNode;
import io.scanstream.core.contract.ClinicalLabel;
import io.scanstream.core.contract.Json;
import io.scanstream.core.imaging.ImageFormat;
import io.scanstream.core.imaging.PixelType;
import io.scanstream.core.synthetic.SyntheticCtGenerator;
import io.scanstream.core.synthetic.SyntheticScan;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The command end to end on a data folder the test writes (synthetic phantoms with a manifest, as the real
 * development split is laid out): a scratch run of one epoch on small inputs, the shortest path through loading,
 * full-network training, the deployed-head evaluation and the reports. Real data: evaluation/run.
 */
class EvaluationCommandTest {

    @TempDir
    Path data;
    @TempDir
    Path out;

    @Test
    void evaluatesAFolderAndWritesReportsAndASummary() throws Exception {
        writeDataSet(48, 16);

        int exit = new EvaluationCommand(EvaluationOptions.parse(new String[] {"--data-dir", data.toString(),
                "--out", out.toString(), "--configs", "scratch", "--scratch-epochs", "1", "--scratch-image-size",
                "32", "--head-seeds", "7", "--head-epochs", "3"})).run();

        assertThat(exit).isZero();
        JsonNode summary = Json.MAPPER.readTree(out.resolve("summary.json").toFile());
        assertThat(summary.at("/data/train").asInt()).isEqualTo(48);
        assertThat(summary.at("/data/validation").asInt()).isEqualTo(16);
        assertThat(summary.at("/data/rejected").asInt()).isZero();
        assertThat(summary.at("/scratch-joint/auc").asDouble()).isBetween(0.0, 1.0);
        assertThat(summary.at("/scratch/perSeed")).hasSize(1);
        JsonNode report = Json.MAPPER.readTree(out.resolve("scratch").resolve("report.json").toFile());
        assertThat(report.at("/configuration").asText()).isEqualTo("scratch");
        assertThat(report.at("/epochs")).hasSize(3);
        assertThat(out.resolve("scratch-joint").resolve("report.json")).exists();
        assertThat(out.resolve("scratch").resolve("backbone-mobilenet_v2.params")).exists();
        assertThat(Files.readAllLines(out.resolve("summary.txt"))).anyMatch(l -> l.startsWith("evaluation.result"));
    }

    @Test
    void crossValidatesFineTuningAgainstTheSameProtocolOnTheWeightsAsTheyAre() throws Exception {
        writeDataSet(48, 16);
        Path weights = scratchWeights();

        Path cvOut = out.resolve("cv");
        int exit = new EvaluationCommand(EvaluationOptions.parse(new String[] {"--data-dir", data.toString(),
                "--weights", weights.toString(), "--out", cvOut.toString(), "--configs", "frozen-cv,finetune-cv",
                "--cv-folds", "3", "--cv-fold-limit", "1", "--fine-tune-epochs", "1", "--head-epochs", "2",
                "--set", "training.full-network.image-size=32", "--set", "training.full-network.frozen-blocks=4",
                "--name", "partial", "--fine-tune-rows", "all"})).run();

        assertThat(exit).isZero();
        JsonNode summary = Json.MAPPER.readTree(cvOut.resolve("summary.json").toFile());
        for (String config : List.of("finetune-cv:frozen", "finetune-cv:partial")) {
            for (String variant : List.of("final", "final+flip", "multi-scale", "multi-scale+flip",
                    "multi-scale int8")) {
                assertThat(summary.at("/" + config + "/" + variant + "/auc").asDouble()).as(config + " " + variant)
                        .isBetween(0.0, 1.0);
                assertThat(summary.at("/" + config + "/" + variant + "/foldAucs")).hasSize(1);
            }
            assertThat(summary.at("/" + config + "/folds").asText()).isEqualTo("1/3");
            assertThat(summary.at("/" + config + "/foldsRun").toString()).isEqualTo("[1]");
        }
        assertThat(summary.at("/finetune-cv:frozen/settings").asText()).startsWith("not fine-tuned");
        assertThat(summary.at("/finetune-cv:partial/settings").asText()).contains("frozenBlocks=4");
        List<String> lines = Files.readAllLines(cvOut.resolve("summary.txt"));
        assertThat(lines).anyMatch(l -> l.startsWith("evaluation.finetune-cv.epoch config=partial fold=1/3 epoch=1/1"));
        assertThat(lines).noneMatch(l -> l.startsWith("evaluation.finetune-cv.epoch config=frozen"));
        // --fine-tune-rows all: the backbone learns from every training row of the fold (32 of 48, 3 folds).
        assertThat(lines).anyMatch(l -> l.matches("evaluation\\.finetune-cv\\.fold config=partial fold=1/3"
                + " train=(\\d+) fineTunedOn=\\1 held=.*"));
        List<String> scores = Files.readAllLines(cvOut.resolve("scores.csv"));
        assertThat(scores.get(0)).isEqualTo("config,where,seed,variant,scanId,covid,score,threshold");
        int held = summary.at("/finetune-cv:partial/final/foldAucs").size() > 0
                ? (int) scores.stream().filter(r -> r.startsWith("partial,fold=1/3,7,final,")).count() : 0;
        assertThat(held).isPositive();
        // Both configs, five variants each (four readouts, and the served one int8), every held-out scan once per
        // variant; the inner side's threshold rows besides, marked as such.
        assertThat(scores.stream().filter(r -> r.contains(",fold=1/3,"))).hasSize(2 * 5 * held);
        assertThat(scores.stream().filter(r -> r.contains(",fold=1/3,7,multi-scale int8,"))).hasSize(2 * held);
        assertThat(scores.stream().filter(r -> r.contains(",fold=1/3:inner,"))).isNotEmpty()
                .hasSize(scores.size() - 1 - 2 * 5 * held);
        assertThat(scores.subList(1, scores.size())).allSatisfy(r -> assertThat(r.split(",")).hasSize(8));
    }

    @Test
    void scoresTheChosenFineTuningOnceOnTheValidationSplitPerSeedWithTheSpread() throws Exception {
        writeDataSet(40, 16);
        Path weights = scratchWeights();

        Path valOut = out.resolve("val");
        int exit = new EvaluationCommand(EvaluationOptions.parse(new String[] {"--data-dir", data.toString(),
                "--weights", weights.toString(), "--out", valOut.toString(), "--configs", "finetune-val",
                "--fine-tune-seeds", "7,8", "--fine-tune-epochs", "1", "--head-epochs", "2",
                "--set", "training.full-network.image-size=32", "--name", "chosen"})).run();

        assertThat(exit).isZero();
        JsonNode summary = Json.MAPPER.readTree(valOut.resolve("summary.json").toFile());
        for (String seed : List.of("seed7", "seed8")) {
            assertThat(summary.at("/finetune-val:chosen:" + seed + "/multi-scale/auc").asDouble()).isBetween(0.0, 1.0);
            assertThat(summary.at("/finetune-val:chosen:" + seed + "/settings").asText()).contains("seed="
                    + seed.substring(4));
        }
        JsonNode spread = summary.at("/finetune-val:chosen/multi-scale+flip");
        assertThat(spread.at("/aucs")).hasSize(2);
        assertThat(spread.at("/aucMean").asDouble()).isCloseTo(
                (spread.at("/aucs/0").asDouble() + spread.at("/aucs/1").asDouble()) / 2, within(1e-9));
        List<String> lines = Files.readAllLines(valOut.resolve("summary.txt"));
        // The service's path by default: fine-tuned on the inner split's training side only, the threshold rows
        // held out from the backbone as well as the head.
        Pattern fold = Pattern.compile("evaluation\\.finetune-cv\\.fold config=chosen split=val train=40"
                + " fineTunedOn=(\\d+) held=16 epochs=1 seed=8.*");
        assertThat(lines.stream().map(fold::matcher).filter(Matcher::matches).map(m -> Integer.parseInt(m.group(1)))
                .toList()).singleElement(InstanceOfAssertFactories.INTEGER).isStrictlyBetween(0, 40);
        assertThat(lines).anyMatch(l -> l.startsWith("evaluation.finetune-val config=chosen variant=final seeds=[7, 8]"));
        // Every validation scan's score per seed and variant (four readouts, the served one int8), for SeedEnsemble.
        List<String> scores = Files.readAllLines(valOut.resolve("scores.csv"));
        assertThat(scores.stream().filter(r -> r.contains(",split=val,"))).hasSize(2 * 5 * 16);
        assertThat(scores.stream().filter(r -> r.contains(",split=val:inner,"))).isNotEmpty();
        assertThat(lines).anyMatch(l -> l.startsWith("evaluation.finetune-val config=chosen variant=multi-scale int8"
                + " seeds=[7, 8]"));
        assertThat(SeedEnsemble.read(List.of(valOut.resolve("scores.csv"))).rows()).hasSize(5)
                .allSatisfy(row -> assertThat(row.seeds()).containsExactly(7L, 8L));
    }

    @Test
    void pretrainsContrastivelyOnTheUnlabelledTrainImagesIntoWeightsThatFineTuningStartsFrom() throws Exception {
        writeDataSet(40, 8);
        Path weights = scratchWeights();

        Path sslOut = out.resolve("ssl");
        int exit = new EvaluationCommand(EvaluationOptions.parse(new String[] {"--data-dir", data.toString(),
                "--weights", weights.toString(), "--out", sslOut.toString(), "--configs", "contrastive",
                "--contrastive-epochs", "2", "--contrastive-image-size", "32"})).run();

        assertThat(exit).isZero();
        JsonNode summary = Json.MAPPER.readTree(sslOut.resolve("summary.json").toFile());
        assertThat(summary.at("/contrastive/images").asInt()).isEqualTo(40);
        assertThat(summary.at("/contrastive/epochLosses")).hasSize(2);
        // 32 images per step: log(63) is what projections that carry nothing score
        assertThat(summary.at("/contrastive/epochLosses/0").asDouble()).isBetween(0.0, 2 * Math.log(63));
        Path pretrained = sslOut.resolve("contrastive").resolve("backbone-mobilenet_v2.params");
        assertThat(pretrained).exists();
        assertThat(Files.readAllLines(sslOut.resolve("summary.txt")))
                .anyMatch(l -> l.startsWith("evaluation.contrastive.epoch config=contrastive epoch=2/2"));

        // the written backbone is a --weights for the fine-tuning cross-validation
        Path cvOut = out.resolve("ssl-cv");
        assertThat(new EvaluationCommand(EvaluationOptions.parse(new String[] {"--data-dir", data.toString(),
                "--weights", pretrained.toString(), "--out", cvOut.toString(), "--configs", "finetune-cv",
                "--cv-folds", "3", "--cv-run-folds", "2", "--fine-tune-epochs", "1", "--head-epochs", "2",
                "--set", "training.full-network.image-size=32", "--name", "ssl"})).run()).isZero();
        assertThat(Json.MAPPER.readTree(cvOut.resolve("summary.json").toFile())
                .at("/finetune-cv:ssl/multi-scale/auc").asDouble()).isBetween(0.0, 1.0);
    }

    @Test
    void withoutADataFolderSaysSoAndSucceeds() throws Exception {
        int exit = new EvaluationCommand(EvaluationOptions.parse(new String[] {"--data-dir",
                data.resolve("absent").toString(), "--out", out.toString()})).run();

        assertThat(exit).isZero();
        assertThat(out.resolve("summary.json")).doesNotExist();
    }

    /** Weights to start from: a tiny scratch run's backbone (ImageNet weights are not on a fresh machine). */
    private Path scratchWeights() throws Exception {
        Path scratchOut = out.resolve("first");
        assertThat(new EvaluationCommand(EvaluationOptions.parse(new String[] {"--data-dir", data.toString(),
                "--out", scratchOut.toString(), "--configs", "scratch", "--scratch-epochs", "1",
                "--scratch-image-size", "32", "--head-seeds", "7", "--head-epochs", "2"})).run()).isZero();
        return scratchOut.resolve("scratch").resolve("backbone-mobilenet_v2.params");
    }

    private void writeDataSet(int train, int validation) throws Exception {
        SyntheticCtGenerator generator = new SyntheticCtGenerator(5);
        List<String> lines = new ArrayList<>(List.of("file,label,patient_or_source_id,split,width,height,bytes"));
        for (int i = 0; i < train + validation; i++) {
            SyntheticScan scan = generator.scan(i, 96, 80, PixelType.GREY8, ImageFormat.PNG);
            String file = (scan.label() == ClinicalLabel.COVID ? "covid/" : "noncovid/") + scan.scanId() + ".png";
            Files.createDirectories(data.resolve(file).getParent());
            Files.write(data.resolve(file), scan.bytes());
            lines.add(String.join(",", file, scan.label() == ClinicalLabel.COVID ? "covid" : "noncovid",
                    scan.patientRef(), i < train ? "train" : "val", "96", "80", String.valueOf(scan.bytes().length)));
        }
        Files.write(data.resolve("manifest.csv"), lines);
    }
}
