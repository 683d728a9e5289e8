package io.scanstream.model.backbone;

import ai.djl.MalformedModelException;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UTFDataFormatException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The backbones as DJL blocks, built layer for layer like torchvision's so that a torchvision {@code state_dict}
 * maps onto them: the same layers, parameter shapes and parameter order (conv weight[, bias]; batch-norm weight,
 * bias, running mean, running var; {@code num_batches_tracked} has no counterpart). Each ends in global average
 * pooling, giving {@code [N, featureDim]} for an {@code [N, 3, H, W]} input. DJL's model-zoo ResNets are not
 * torchvision's, hence these. Training's full-network mode fine-tunes these blocks (from {@link #loadParameters} or
 * a fresh initialisation); feature extraction freezes them.
 */
public final class Backbones {

    /** In a VGG table: a 2x2 max pooling instead of a convolution's width. */
    static final int MAX_POOL = -1;
    private static final byte[] MODEL_SAVE_MAGIC = "DJL@".getBytes(StandardCharsets.US_ASCII);
    /** torchvision {@code vgg.cfgs["D"]}. */
    static final int[] VGG16 = {64, 64, MAX_POOL, 128, 128, MAX_POOL, 256, 256, 256, MAX_POOL,
            512, 512, 512, MAX_POOL, 512, 512, 512, MAX_POOL};
    /** torchvision {@code vgg.cfgs["E"]}. */
    static final int[] VGG19 = {64, 64, MAX_POOL, 128, 128, MAX_POOL, 256, 256, 256, 256, MAX_POOL,
            512, 512, 512, 512, MAX_POOL, 512, 512, 512, 512, MAX_POOL};
    /** torchvision {@code MobileNetV2} inverted residual settings: expansion t, channels c, repeats n, stride s. */
    static final int[][] MOBILENET_V2 = {{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2},
            {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
    /** torchvision {@code resnet34}: {@code BasicBlock}s per stage, and the stages' widths. */
    static final int[] RESNET34_BLOCKS = {3, 4, 6, 3};
    static final int[] RESNET_WIDTHS = {64, 128, 256, 512};
    /** torchvision's batch-norm epsilon, used by every backbone here. */
    static final float BATCH_NORM_EPSILON = 1e-5f;

    private Backbones() {
    }

    /** A new, uninitialised block; initialise it with an {@code [N, 3, H, W]} shape or load parameters into it. */
    public static SequentialBlock build(BackboneArchitecture architecture) {
        BackboneBlock net = new BackboneBlock(architecture);
        return switch (architecture) {
            case VGG16 -> vgg(net, VGG16);
            case VGG19 -> vgg(net, VGG19);
            case RESNET34 -> resnet(net, RESNET34_BLOCKS);
            case MOBILENET_V2 -> mobileNetV2(net);
        };
    }

    /**
     * A stage's last block: its index among the children of {@link #build}'s block and its output channels.
     *
     * @param child    index in {@code build(architecture).getChildren()}
     * @param channels width of its output
     */
    record StageOutput(int child, int channels) {
    }

    /** Resolution (1/stride of the input) from which stages are read by {@link FeatureReadout#MULTI_SCALE}. */
    private static final int FIRST_READ_STRIDE = 8;

    /**
     * The last block of every stage (a run of blocks of one width and resolution) whose output is at 1/8 of the
     * input resolution or coarser, in order, ending with the block the final features are pooled from. Mirrors the
     * builders below child by child.
     */
    static List<StageOutput> stageOutputs(BackboneArchitecture architecture) {
        List<StageOutput> outputs = new ArrayList<>();
        switch (architecture) {
            case VGG16, VGG19 -> {
                int[] config = architecture == BackboneArchitecture.VGG16 ? VGG16 : VGG19;
                int child = -1;
                int stride = 1;
                int channels = 0;
                for (int entry : config) {
                    if (entry == MAX_POOL) {
                        child++;
                        stride *= 2;
                        if (stride >= FIRST_READ_STRIDE) {
                            outputs.add(new StageOutput(child, channels));
                        }
                    } else {
                        child += 2; // convolution, ReLU
                        channels = entry;
                    }
                }
            }
            case RESNET34 -> {
                int[] blocksPerStage = RESNET34_BLOCKS;
                int[] widths = RESNET_WIDTHS;
                int child = 3; // stem: convolution, batch norm, ReLU, max pooling (stride 4)
                int stride = 4;
                for (int stage = 0; stage < widths.length; stage++) {
                    child += blocksPerStage[stage];
                    stride *= stage > 0 ? 2 : 1;
                    if (stride >= FIRST_READ_STRIDE) {
                        outputs.add(new StageOutput(child, widths[stage]));
                    }
                }
            }
            case MOBILENET_V2 -> {
                int child = 0; // stem (stride 2)
                int stride = 2;
                for (int[] setting : MOBILENET_V2) {
                    child += setting[2];
                    stride *= setting[3];
                    if (stride >= FIRST_READ_STRIDE) {
                        outputs.add(new StageOutput(child, setting[1]));
                    }
                }
                outputs.add(new StageOutput(child + 1, architecture.featureDim())); // the 1x1 convolution to 1280
            }
            default -> throw new IllegalArgumentException("no stages for " + architecture);
        }
        return List.copyOf(outputs);
    }

    /**
     * Loads DJL parameters into a block from {@link #build}, as {@code Model.save} writes them or as a bare
     * {@code Block.saveParameters} stream. Shapes are not checked here: run one forward to find out.
     *
     * @throws IllegalArgumentException when the file does not hold parameters of this architecture
     */
    public static void loadParameters(Block block, BackboneArchitecture architecture, Path file, NDManager manager)
            throws IOException {
        try (DataInputStream in = parametersStream(file)) {
            block.loadParameters(manager, in);
        } catch (MalformedModelException | EngineException | EOFException | UTFDataFormatException e) {
            throw new IllegalArgumentException("backbone weights " + file + " are not " + architecture.id()
                    + " parameters: " + e.getMessage(), e);
        }
    }

    /** Skips the header {@code Model.save} writes before the block's parameters, if there is one. */
    private static DataInputStream parametersStream(Path file) throws IOException {
        InputStream buffered = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        DataInputStream in = new DataInputStream(buffered);
        try {
            buffered.mark(MODEL_SAVE_MAGIC.length);
            byte[] magic = new byte[MODEL_SAVE_MAGIC.length];
            in.readFully(magic);
            if (!Arrays.equals(magic, MODEL_SAVE_MAGIC)) {
                buffered.reset();
                return in;
            }
            int version = in.readInt();
            if (version != 1) {
                throw new IOException("unsupported DJL parameter file version " + version + ": " + file);
            }
            in.readUTF(); // model name
            in.readUTF(); // data type
            int inputs = in.readInt();
            for (int i = 0; i < inputs; i++) {
                in.readUTF();
                Shape.decode(in);
            }
            int properties = in.readInt();
            for (int i = 0; i < properties; i++) {
                in.readUTF();
                in.readUTF();
            }
            return in;
        } catch (IOException e) {
            in.close();
            throw e;
        }
    }

    /** {@code features} (3x3 convolutions with bias, ReLU, 2x2 max pooling) then global average pooling. */
    private static SequentialBlock vgg(SequentialBlock net, int[] config) {
        for (int channels : config) {
            if (channels == MAX_POOL) {
                net.add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)));
            } else {
                net.add(conv(channels, 3, 1, 1, 1, true)).add(Activation.reluBlock());
            }
        }
        return withGlobalAveragePool(net);
    }

    /** torchvision {@code ResNet} with {@code BasicBlock}s, without {@code fc}. */
    private static SequentialBlock resnet(SequentialBlock net, int[] blocksPerStage) {
        net.add(conv(64, 7, 2, 3, 1, false))
                .add(batchNorm())
                .add(Activation.reluBlock())
                .add(Pool.maxPool2dBlock(new Shape(3, 3), new Shape(2, 2), new Shape(1, 1)));
        int inChannels = 64;
        int[] widths = RESNET_WIDTHS;
        for (int stage = 0; stage < widths.length; stage++) {
            for (int i = 0; i < blocksPerStage[stage]; i++) {
                int stride = stage > 0 && i == 0 ? 2 : 1;
                net.add(basicBlock(inChannels, widths[stage], stride));
                inChannels = widths[stage];
            }
        }
        return withGlobalAveragePool(net);
    }

    private static Block basicBlock(int inChannels, int outChannels, int stride) {
        SequentialBlock main = new SequentialBlock()
                .add(conv(outChannels, 3, stride, 1, 1, false))
                .add(batchNorm())
                .add(Activation.reluBlock())
                .add(conv(outChannels, 3, 1, 1, 1, false))
                .add(batchNorm());
        Block shortcut = stride != 1 || inChannels != outChannels
                ? new SequentialBlock().add(conv(outChannels, 1, stride, 0, 1, false)).add(batchNorm())
                : Blocks.identityBlock();
        // main before shortcut: torchvision lists conv1, bn1, conv2, bn2, then downsample
        return new ParallelBlock(Backbones::addThenRelu, List.of(main, shortcut));
    }

    /** torchvision {@code mobilenet_v2(width_mult=1.0).features}, then global average pooling. */
    private static SequentialBlock mobileNetV2(SequentialBlock net) {
        net.add(convBnRelu6(32, 3, 2, 1));
        int inChannels = 32;
        for (int[] setting : MOBILENET_V2) {
            int expansion = setting[0];
            int outChannels = setting[1];
            for (int i = 0; i < setting[2]; i++) {
                net.add(invertedResidual(inChannels, outChannels, i == 0 ? setting[3] : 1, expansion));
                inChannels = outChannels;
            }
        }
        return withGlobalAveragePool(net.add(convBnRelu6(1280, 1, 1, 1)));
    }

    private static Block invertedResidual(int inChannels, int outChannels, int stride, int expansion) {
        int hidden = Math.round(inChannels * (float) expansion);
        SequentialBlock conv = new SequentialBlock();
        if (expansion != 1) {
            conv.add(convBnRelu6(hidden, 1, 1, 1));
        }
        conv.add(convBnRelu6(hidden, 3, stride, hidden))
                .add(conv(outChannels, 1, 1, 0, 1, false))
                .add(batchNorm());
        if (stride == 1 && inChannels == outChannels) {
            return new ParallelBlock(Backbones::add, List.of(conv, Blocks.identityBlock()));
        }
        return conv;
    }

    /** torchvision {@code Conv2dNormActivation} with ReLU6, padding (k-1)/2, groups for depthwise. */
    private static SequentialBlock convBnRelu6(int channels, int kernel, int stride, int groups) {
        return new SequentialBlock()
                .add(conv(channels, kernel, stride, (kernel - 1) / 2, groups, false))
                .add(batchNorm())
                .add(Activation.relu6Block());
    }

    private static Conv2d conv(int channels, int kernel, int stride, int padding, int groups, boolean bias) {
        return Conv2d.builder()
                .setFilters(channels)
                .setKernelShape(new Shape(kernel, kernel))
                .optStride(new Shape(stride, stride))
                .optPadding(new Shape(padding, padding))
                .optGroups(groups)
                .optBias(bias)
                .build();
    }

    /** torchvision's defaults: eps 1e-5, momentum 0.1 (DJL counts momentum the other way round). */
    private static BatchNorm batchNorm() {
        return BatchNorm.builder().optEpsilon(BATCH_NORM_EPSILON).optMomentum(0.9f).build();
    }

    private static SequentialBlock withGlobalAveragePool(SequentialBlock net) {
        return net.add(Pool.globalAvgPool2dBlock()).add(Blocks.batchFlattenBlock());
    }

    private static NDList add(List<NDList> branches) {
        return new NDList(branches.get(0).singletonOrThrow().add(branches.get(1).singletonOrThrow()));
    }

    private static NDList addThenRelu(List<NDList> branches) {
        return new NDList(Activation.relu(add(branches).singletonOrThrow()));
    }
}
