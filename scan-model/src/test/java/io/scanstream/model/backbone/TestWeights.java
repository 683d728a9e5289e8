package io.scanstream.model.backbone;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import io.scanstream.model.DjlEnvironment;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Backbone weights the tests make: every parameter of the Java-built block seeded-random, batch-norm statistics
 * included (a fresh block's are 0 and 1, which would hide a mistranslated statistic), small enough that activations
 * stay in range through MobileNetV2's or ResNet-34's depth. Written as {@code .params} (bare
 * {@code Block.saveParameters}) and as ONNX graphs by the project's own writer.
 */
final class TestWeights {

    private TestWeights() {
    }

    /** An initialised block of the architecture at {@code initialisedFor}, holding seeded weights. */
    static Block block(BackboneArchitecture architecture, long seed, NDManager manager, Shape initialisedFor) {
        DjlEnvironment.configure();
        Block block = Backbones.build(architecture);
        block.initialize(manager, DataType.FLOAT32, initialisedFor);
        Random random = new Random(seed);
        for (Parameter parameter : block.getParameters().values()) {
            int size = (int) parameter.getArray().size();
            float[] values = new float[size];
            long[] shape = parameter.getArray().getShape().getShape();
            double fanIn = shape.length == 4 ? shape[1] * shape[2] * shape[3] : 1;
            for (int i = 0; i < size; i++) {
                values[i] = switch (parameter.getName()) {
                    case "weight" -> (float) (random.nextGaussian() * Math.sqrt(2.0 / fanIn));
                    case "gamma" -> 0.5f + random.nextFloat();
                    case "beta", "bias" -> (float) (random.nextGaussian() * 0.1);
                    case "runningMean" -> (float) (random.nextGaussian() * 0.2);
                    case "runningVar" -> 0.5f + random.nextFloat();
                    default -> throw new IllegalStateException(parameter.getName());
                };
            }
            parameter.getArray().set(values);
        }
        return block;
    }

    static Path params(BackboneArchitecture architecture, long seed, Path file) throws IOException {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            write(block(architecture, seed, manager, BackboneBlock.CANONICAL_INPUT), file);
        }
        return file;
    }

    static void write(Block block, Path file) throws IOException {
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(file))) {
            block.saveParameters(out);
        }
    }

    /** The same seeded weights as an ONNX graph (final readout; batch norm explicit or folded). */
    static Path onnx(BackboneArchitecture architecture, long seed, boolean foldBatchNorm, Path file) throws IOException {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            Block block = block(architecture, seed, manager, BackboneBlock.CANONICAL_INPUT);
            Files.write(file, OnnxExport.graph(block, architecture, FeatureReadout.FINAL, foldBatchNorm));
        }
        return file;
    }
}
