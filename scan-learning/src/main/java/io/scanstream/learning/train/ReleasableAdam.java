package io.scanstream.learning.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.training.optimizer.Adam;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * DJL's Adam, whose state (each trainable parameter's first and second moments) is released on {@link #close()}.
 * DJL 0.36's {@code Optimizer.withDefaultState} detaches every state array from every NDManager, and neither the
 * Trainer nor the Model closes an optimiser, so each Adam left twice its trainable parameters in native memory for
 * the life of the process: measured 22-38 MiB per MobileNetV2 fine-tuning run, in training's memory after every run
 * (docs/benchmarks.md, "A native leak per training run"). The updates are DJL's own; only the ownership changes.
 * One instance per training run: use it in try-with-resources around the Trainer that steps it.
 */
public final class ReleasableAdam extends Adam implements AutoCloseable {

    private final Set<NDArray> state = Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));

    private ReleasableAdam(Adam.Builder builder) {
        super(builder);
    }

    /** @param builder {@code Optimizer.adam()} with the run's settings */
    public static ReleasableAdam of(Adam.Builder builder) {
        return new ReleasableAdam(builder);
    }

    @Override
    protected NDArray withDefaultState(Map<String, Map<Device, NDArray>> states, String key, Device device,
                                       Function<String, NDArray> defaultFunction) {
        NDArray array = super.withDefaultState(states, key, device, defaultFunction);
        state.add(array);
        return array;
    }

    /** The state arrays it holds now (two per trainable parameter once it has stepped). */
    List<NDArray> heldState() {
        synchronized (state) {
            return List.copyOf(state);
        }
    }

    @Override
    public void close() {
        synchronized (state) {
            state.forEach(NDArray::close);
            state.clear();
        }
    }
}
