package io.scanstream.benchmarks;

import io.scanstream.core.artifact.BackboneChunks;
import io.scanstream.core.artifact.BackboneManifest;
import io.scanstream.core.artifact.Quantization;
import io.scanstream.core.artifact.ScanSet;
import io.scanstream.core.contract.BackboneChunk;
import io.scanstream.core.contract.EventCodecs;
import io.scanstream.core.imaging.GreyImage;
import io.scanstream.core.integrity.Sha256;
import io.scanstream.model.backbone.BackboneArchitecture;
import io.scanstream.model.backbone.BackboneEngine;
import io.scanstream.model.backbone.BackboneSpec;
import io.scanstream.model.backbone.BackboneWeights;
import io.scanstream.model.backbone.FeatureExtractors;
import io.scanstream.model.backbone.FeatureReadout;
import io.scanstream.model.backbone.OnnxExport;
import org.apache.kafka.clients.producer.KafkaProducer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;

/**
 * A backbone as a fine-tuning run publishes it on {@code models.backbones} (DJL parameters in chunks, then the
 * manifest; the int8 ranges in it when served as int8, training's default), so that the load generator measures
 * the path inference serves from the first fine-tuned version on. The weights are the given file's (the ImageNet
 * ones), not fine-tuned values: a forward pass costs the same whatever the values.
 *
 * @param manifest    what inference reads: id, readout, size, sha256, quantisation
 * @param parameters  the weights as DJL parameters
 * @param featureDim  the length of the readout's embedding (the head's input)
 */
record PublishedBackbone(BackboneManifest manifest, byte[] parameters, int featureDim) {

    /**
     * @param calibration preprocessed scans; {@link OnnxExport#DEFAULT_CALIBRATION_IMAGES} of them, spread over the
     *                    list, calibrate the int8 ranges as a fine-tuning run's training side does
     */
    static PublishedBackbone of(BackboneArchitecture architecture, Path weights, FeatureReadout readout, boolean int8,
                                List<GreyImage> calibration, Path workDir) throws IOException {
        byte[] parameters = BackboneWeights.asDjlParameters(architecture, weights);
        Files.createDirectories(workDir);
        Path file = Files.write(workDir.resolve("published-" + architecture.id() + ".params"), parameters);
        BackboneSpec spec = new BackboneSpec(architecture, Optional.of(file), readout, BackboneEngine.ONNX_RUNTIME);
        Optional<Quantization> quantization = int8 ? Optional.of(OnnxExport.calibrate(spec,
                OnnxExport.calibrationSample(calibration, OnnxExport.DEFAULT_CALIBRATION_IMAGES))) : Optional.empty();
        BackboneSpec served = spec.withQuantization(quantization);
        int chunkBytes = BackboneChunks.DEFAULT_CHUNK_BYTES;
        BackboneManifest manifest = new BackboneManifest(FeatureExtractors.backboneId(served), architecture.id(),
                readout.id(), BackboneManifest.DJL_PARAMETERS, parameters.length, Sha256.hex(parameters), chunkBytes,
                BackboneChunks.count(parameters.length, chunkBytes), OffsetDateTime.now(ZoneOffset.UTC), null, null,
                ScanSet.EMPTY, quantization.orElse(null));
        return new PublishedBackbone(manifest, parameters, served.featureDim());
    }

    /** Its chunks, then (once they are flushed) its manifest, as training's publisher writes them. */
    void publish(KafkaProducer<String, byte[]> producer, String topic) throws InterruptedException,
            ExecutionException {
        List<byte[]> chunks = BackboneChunks.split(parameters, manifest.chunkBytes());
        for (int i = 0; i < chunks.size(); i++) {
            producer.send(EventCodecs.BACKBONE_CHUNK.toRecord(topic,
                    new BackboneChunk(manifest.backboneId(), i, chunks.get(i))));
        }
        producer.flush();
        producer.send(EventCodecs.BACKBONE_MANIFEST.toRecord(topic, manifest)).get();
    }
}
