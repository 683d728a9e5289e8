package io.scanstream.benchmarks;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Structure;
import io.scanstream.learning.train.FullNetworkSettings;
import io.scanstream.model.BlockByBlock;
import io.scanstream.model.DjlEnvironment;
import io.scanstream.model.backbone.BackboneArchitecture;
import io.scanstream.model.backbone.Backbones;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Native memory of one MobileNetV2 fine-tuning step at 224 px, for docs/benchmarks.md ("Training's peak"): glibc's
 * bytes in use after the forward pass and after the backward pass, above what was in use before the step, for
 * DJL's own sequential pass over the backbone and for {@link BlockByBlock} (the trainer's), on the same weights in
 * the same process, with the blocks frozen that the service's fine-tuning freezes. The weights are seeded random ones:
 * the memory does not depend on their values.
 *
 * <p>{@code benchmarks/run step-memory [--batches 8,16,32] [--repeats 2]} (Linux with glibc 2.33 or later: it reads
 * {@code mallinfo2})
 */
public final class FineTuningStepMemory {

    private static final int SIZE = 224;

    private FineTuningStepMemory() {
    }

    /** glibc's own account of its heap ({@code struct mallinfo2}: every field a size_t). */
    @Structure.FieldOrder({"arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
            "fordblks", "keepcost"})
    public static class MallInfo2 extends Structure implements Structure.ByValue {
        public long arena;
        public long ordblks;
        public long smblks;
        public long hblks;
        public long hblkhd;
        public long usmblks;
        public long fsmblks;
        public long uordblks;
        public long fordblks;
        public long keepcost;
    }

    interface CLibrary extends Library {
        MallInfo2 mallinfo2();
    }

    private static final CLibrary C = Native.load("c", CLibrary.class);

    /** Bytes glibc has handed out and not had back: in its heap, and mapped blocks. */
    private static long inUse() {
        MallInfo2 info = C.mallinfo2();
        return info.uordblks + info.hblkhd;
    }

    public static void main(String[] args) {
        List<Integer> batches = List.of(8, 16, 32);
        int repeats = 2;
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + args[i] + " needs a value");
            }
            switch (args[i]) {
                case "--batches" -> batches = Arrays.stream(args[i + 1].split(",")).map(Integer::parseInt).toList();
                case "--repeats" -> repeats = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i] + " (--batches, --repeats)");
            }
        }
        DjlEnvironment.configure();
        int frozen = FullNetworkSettings.defaultFrozenBlocks(BackboneArchitecture.MOBILENET_V2,
                FullNetworkSettings.Initialisation.PRETRAINED);
        System.out.printf(Locale.ROOT, "MobileNetV2 at %d px, a linear head, the first %d blocks frozen; MiB in use"
                + " above the step's start, per pass (GLIBC_TUNABLES=%s)%n", SIZE, frozen,
                System.getenv("GLIBC_TUNABLES"));
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            Engine.getEngine("PyTorch").setRandomSeed(7);
            SequentialBlock backbone = Backbones.build(BackboneArchitecture.MOBILENET_V2);
            Block head = Linear.builder().setUnits(1).build();
            SequentialBlock network = new SequentialBlock().add(backbone).add(head);
            network.initialize(manager, DataType.FLOAT32, new Shape(1, 3, SIZE, SIZE));
            backbone.getChildren().values().subList(0, frozen).forEach(block -> block.freezeParameters(true));
            for (int batch : batches) {
                for (int r = 0; r < repeats; r++) {
                    for (boolean blockByBlock : new boolean[] {false, true}) {
                        Step s = step(manager, backbone, head, batch, blockByBlock);
                        System.out.printf(Locale.ROOT, "batch %2d, repeat %d, %-17s after forward %6.0f MiB"
                                        + " (%.1f an image), after backward %6.0f MiB, %.2f s%n", batch, r + 1,
                                blockByBlock ? "block by block" : "DJL's sequential", mib(s.afterForward()),
                                mib(s.afterForward()) / batch, mib(s.afterBackward()), s.nanos() / 1e9);
                    }
                }
            }
        }
    }

    /** Bytes in use above the step's start after each pass, and the step's duration. */
    private record Step(long afterForward, long afterBackward, long nanos) {
    }

    /** One step as the trainer runs it: the backbone with fixed batch-norm statistics, the head training. */
    private static Step step(NDManager manager, SequentialBlock backbone, Block head, int batch,
                               boolean blockByBlock) {
        long start = System.nanoTime();
        try (NDManager arrays = manager.newSubManager();
             GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
            ParameterStore parameters = new ParameterStore(arrays, false);
            NDArray input = arrays.randomUniform(0, 1, new Shape(batch, 3, SIZE, SIZE));
            long before = inUse();
            NDList features = blockByBlock
                    ? BlockByBlock.forward(backbone, parameters, new NDList(input), false)
                    : backbone.forward(parameters, new NDList(input), false);
            NDArray output = head.forward(parameters, features, true).singletonOrThrow();
            long afterForward = inUse() - before;
            collector.backward(output.sum());
            long afterBackward = inUse() - before;
            return new Step(afterForward, afterBackward, System.nanoTime() - start);
        }
    }

    private static double mib(long bytes) {
        return bytes / (1024.0 * 1024.0);
    }
}
