package io.scanstream.evaluation.experiments;

import io.scanstream.core.imaging.GreyImage;
import io.scanstream.evaluation.Results;
import io.scanstream.learning.data.LabelledImage;
import io.scanstream.learning.train.ContrastivePretrainer;
import io.scanstream.learning.train.ContrastiveSettings;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The bounded contrastive experiment (issue 10 §4): SimCLR pretraining of the given weights on a split's images with
 * their labels unused, as a streaming system could on every arriving scan. Writes the backbone, which
 * {@code finetune-cv} then takes as {@code --weights}, to be compared fold by fold with fine-tuning from the
 * weights as they are. Its images include the cross-validation's held-out folds, unlabelled: that is what the
 * stream gives the service too (scans arrive before anyone labels them).
 */
public final class ContrastivePretraining {

    private final ContrastiveSettings settings;
    private final Results results;

    public ContrastivePretraining(ContrastiveSettings settings, Results results) {
        this.settings = settings;
        this.results = results;
    }

    /** @return the pretrained backbone's file */
    public Path run(String name, List<LabelledImage> scans) throws IOException {
        List<GreyImage> images = scans.stream().map(LabelledImage::image).toList();
        results.line("evaluation.contrastive.start config=%s images=%d epochs=%d imageSize=%d pairsPerBatch=%d"
                        + " temperature=%.2f", name, images.size(), settings.epochs(), settings.imageSize(),
                settings.pairsPerBatch(), settings.temperature());
        ContrastivePretrainer.Result result = new ContrastivePretrainer().pretrain(images, settings,
                (epoch, epochs, loss) -> results.line("evaluation.contrastive.epoch config=%s epoch=%d/%d"
                        + " ntXentLoss=%.4f", name, epoch, epochs, loss));
        Path file = results.folder(name).resolve("backbone-" + settings.architecture().id() + ".params");
        Files.write(file, result.backboneParameters());
        double seconds = result.trainingMillis() / 1000.0;
        results.line("evaluation.contrastive.done config=%s file=%s seconds=%.0f chanceLoss=%.4f", name, file,
                seconds, Math.log(2.0 * Math.min(settings.pairsPerBatch(), images.size()) - 1));
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("images", images.size());
        summary.put("epochs", settings.epochs());
        summary.put("imageSize", settings.imageSize());
        summary.put("pairsPerBatch", settings.pairsPerBatch());
        summary.put("temperature", settings.temperature());
        summary.put("epochLosses", result.epochLosses());
        summary.put("seconds", seconds);
        summary.put("backboneFile", file.toString());
        results.put(name, summary);
        return file;
    }
}
